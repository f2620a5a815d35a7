"""A batch is made on a data set of the kind its type changes, whoever asks for it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.models.orm import Batch
from poser.tasks.batches import BatchError, get_handler
from tests.factories import make_data_set


@pytest.mark.parametrize(
    ("batch_type", "words"),
    [("catalog", "vendor catalogs are"), ("inventory", "inventory counts are")],
)
def test_a_batch_on_a_data_set_of_another_kind_is_refused(
    dbsession: Session, files: Any, batch_type: str, words: str
) -> None:
    notes = make_data_set(dbsession, "Notes", application="sample")
    handler = get_handler(batch_type)
    assert handler.data_sets_of == "products"
    with pytest.raises(BatchError) as refused:
        handler.make(notes, files)
    expected = f"Notes is not a Products data set: {words} made on Products data sets."
    assert str(refused.value) == expected
    assert dbsession.scalar(select(func.count()).select_from(Batch)) == 0
