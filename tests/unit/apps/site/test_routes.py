from __future__ import annotations

from typing import Any

import pytest
from pyramid.config import Configurator

from poser.apps.site.routes import MAX_ID, IdsPredicate, parse_id


@pytest.mark.parametrize(
    ("value", "number"),
    [("1", 1), ("0042", 42), (str(MAX_ID), MAX_ID), (7, 7)],
)
def test_an_id_is_a_whole_number_a_column_holds(value: Any, number: int) -> None:
    assert parse_id(value) == number


@pytest.mark.parametrize(
    "value",
    [None, "", "0", "-1", "+1", " 1", "1.0", "1e3", "١٢", str(MAX_ID + 1), "9" * 26, "abc", 0],
)
def test_anything_else_is_no_id(value: Any) -> None:
    assert parse_id(value) is None


def test_the_predicate_matches_ids_and_hands_them_on_as_ints() -> None:
    predicate = IdsPredicate(("job_id", "export_id"), Configurator())
    info = {"match": {"job_id": "12", "export_id": "3", "name": "x.csv"}}
    assert predicate(info, None)
    assert info["match"] == {"job_id": 12, "export_id": 3, "name": "x.csv"}
    past = {"match": {"job_id": "2147483648", "export_id": "3"}}
    assert not predicate(past, None)
    assert predicate.text() == "ids = job_id, export_id"
