"""A deleted batch keeps its row, so its number is never reused, and no query finds it;
a file that could not be read does not hide the batch under review; a form of the list
of batches names any batch of it, and the steps show the one the operator opened."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.models.data_extraction.batch_list import (
    current_batch_of,
    failed_since,
    listed_batches,
    same_file_batch,
)
from poser.models.data_extraction.batches import due_batches, latest_batch, recent_batches
from poser.models.orm import Batch, CatalogBatchRow, Upload
from poser.storage.backends import local_store
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.batches import requests as batch_requests
from poser.tasks.batches.jobs import batch_of
from poser.tasks.batches.jobs import populate as populate_job
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_SOAP, make_batch, make_catalog
from tests.factories import make_data_set, make_user

GOOD = HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n{UPC_SOAP},A-200,Soap,,,6,6.00\n"
NO_UPC = "Description,Pack\nThing,1\n"
handler = get_handler("catalog")


@pytest.fixture
def shop(dbsession: Session, tmp_path: Any) -> dict[str, Any]:
    data_set = make_data_set(dbsession)
    files = local_store(tmp_path)
    return {"data_set": data_set, "files": files, **make_catalog(dbsession, data_set)}


def _read(shop: dict[str, Any], text: str = GOOD, **options: Any) -> Batch:
    batch = make_batch(shop["data_set"], shop["files"], text, shop["acme"], **options)
    try:
        handler.populate(batch, shop["files"])
    except BatchError as error:
        handler.populate_failed(batch, str(error))
    return batch


def test_the_highest_batch_deleted_and_a_new_one_made_get_different_numbers(
    dbsession, session_factory, shop
) -> None:
    first = _read(shop)
    highest = _read(shop)
    user = make_user(dbsession, "dora")
    folder = handler.delete(highest, user)
    dbsession.commit()  # SQLite gives a deleted highest rowid again in a new transaction
    again = _read(shop)
    dbsession.commit()
    assert again.id > highest.id > first.id
    kept = dbsession.get(Batch, highest.id)
    assert kept.deleted_at is not None
    assert kept.deleted_by_id == user.id
    assert kept.row_count == 0
    assert kept.input_key is None
    rows = select(func.count()).where(CatalogBatchRow.batch_id == highest.id)
    assert dbsession.scalar(rows) == 0
    assert folder == f"batches/catalog/{highest.id}"  # for the caller to remove after commit
    assert dbsession.scalars(select(Upload).where(Upload.key.startswith(folder + "/"))).all() == []
    ids = [batch.id for batch in listed_batches(dbsession, shop["data_set"].id, "catalog")]
    assert ids == [again.id, first.id]
    assert [b.id for b in recent_batches(dbsession, shop["data_set"].id, "catalog")] == ids
    before = recent_batches(dbsession, shop["data_set"].id, "catalog", before=again.id)
    assert [b.id for b in before] == [first.id]
    with pytest.raises(BatchError, match="already deleted"):
        handler.delete(kept)


def test_a_deleted_batch_is_not_current_scheduled_read_or_applied(dbsession, shop) -> None:
    later = date.today() + timedelta(days=3)
    batch = _read(shop, effective_date=later.isoformat())
    handler.schedule(batch, None, None, date.today())
    shown = batch_requests.shown_fields(batch)
    assert due_batches(dbsession, later) == [batch]
    handler.delete(batch)
    dbsession.flush()
    assert batch.scheduled_for is None
    assert due_batches(dbsession, later) == []
    assert latest_batch(dbsession, shop["data_set"].id, "catalog") is None
    assert current_batch_of(dbsession, shop["data_set"].id, "catalog") is None
    # A read queued before the deletion reads nothing; an apply refuses.
    with pytest.raises(BatchError, match="was deleted"):
        populate_job(shop["data_set"], batch_id=batch.id, files=shop["files"])
    assert handler.why_not_executable(batch) == [
        "This batch was deleted, with its rows and its file."
    ]
    assert batch_of(shop["data_set"], batch.id) is batch  # found by id, for its job's page
    with pytest.raises(BatchError, match=f"no batch #{batch.id} here any more"):
        batch_requests.listed_batch(shop["data_set"], "catalog", shown)


def test_a_file_that_could_not_be_read_does_not_hide_the_batch_under_review(
    dbsession, shop
) -> None:
    data_set = shop["data_set"]
    reviewed = _read(shop)
    failed = _read(shop, NO_UPC)
    assert failed.status == "failed"
    assert reviewed.status == "populated"
    assert current_batch_of(dbsession, data_set.id, "catalog") is reviewed
    assert failed_since(dbsession, data_set.id, "catalog", reviewed.id) == [failed]
    # Its forms still act on it: the page showed it, and it is still the current one.
    assert (
        batch_requests.posted_batch(data_set, "catalog", batch_requests.shown_fields(reviewed))
        is reviewed
    )
    # Once it is applied, the failed upload is what there is to see.
    handler.execute(reviewed, None)
    dbsession.flush()
    assert current_batch_of(dbsession, data_set.id, "catalog") is failed
    # A failed file alone is the current batch, with its reason.
    handler.delete(failed)
    alone = _read(shop, NO_UPC)
    assert current_batch_of(dbsession, data_set.id, "catalog") is alone


def test_the_list_and_the_opened_batch(dbsession, shop) -> None:
    data_set = shop["data_set"]
    older, newer = _read(shop), _read(shop)
    older_form = batch_requests.shown_fields(older)
    assert batch_requests.shown_batch(data_set, "catalog") is newer
    assert batch_requests.shown_batch(data_set, "catalog", opened=older.id) is older
    # The steps' forms name the batch they show: the opened one, or else the current one.
    assert batch_requests.posted_batch(data_set, "catalog", older_form, opened=older.id) is older
    with pytest.raises(BatchError, match="no longer the current batch"):
        batch_requests.posted_batch(data_set, "catalog", older_form)
    # The list's Delete names any batch of the list, at the version it showed.
    handler.acknowledge(newer, None)
    dbsession.flush()
    stale = {**batch_requests.shown_fields(newer), "batch_version": str(newer.version - 1)}
    with pytest.raises(BatchError, match="changed since this page showed it"):
        batch_requests.delete(data_set, "catalog", stale, listed=True)
    assert batch_requests.delete(data_set, "catalog", older_form, listed=True)[0] == older.id
    # Deleted, the opened batch is no longer shown: the current one is.
    assert batch_requests.shown_batch(data_set, "catalog", opened=older.id) is newer


def test_the_same_file_is_found_by_its_digest(dbsession, shop) -> None:
    data_set = shop["data_set"]
    first = _read(shop)
    first.parameters = {**first.parameters, "sha256": "a" * 64}
    second = _read(shop)
    second.parameters = {**second.parameters, "sha256": "a" * 64}
    dbsession.flush()
    assert same_file_batch(dbsession, data_set.id, "catalog", "a" * 64) is second
    assert same_file_batch(dbsession, data_set.id, "catalog", "a" * 64, before=second.id) is first
    assert same_file_batch(dbsession, data_set.id, "catalog", "b" * 64) is None
