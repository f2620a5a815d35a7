"""What a batch's forms ask: refused unless they name the data set's current batch at
the version their page showed, and each one moves that version on."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from poser.models.orm import Batch, CatalogBatchRow
from poser.storage.backends import local_store
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.batches import requests as batch_requests
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_SOAP, make_batch, make_catalog
from tests.factories import make_data_set, make_user

GOOD = HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n{UPC_SOAP},A-200,Soap,,,6,6.00\n"
TODAY = date(2030, 1, 10)
handler = get_handler("catalog")


@pytest.fixture
def shop(dbsession: Session, tmp_path: Any) -> dict[str, Any]:
    data_set = make_data_set(dbsession)
    files = local_store(tmp_path)
    return {"data_set": data_set, "files": files, **make_catalog(dbsession, data_set)}


def _populated(dbsession: Session, shop: dict[str, Any], text: str = GOOD, **options: Any):
    batch = make_batch(shop["data_set"], shop["files"], text, shop["acme"], **options)
    handler.populate(batch, shop["files"])
    dbsession.flush()
    return batch


def _refused(message: str, ask: Any, *args: Any) -> None:
    with pytest.raises(BatchError, match=message):
        ask(*args)


def test_a_form_names_the_current_batch_as_its_page_showed_it(dbsession, shop) -> None:
    data_set = shop["data_set"]
    first = _populated(dbsession, shop)
    shown = batch_requests.shown_fields(first)
    assert batch_requests.posted_batch(data_set, "catalog", shown) is first
    for posted in ({}, {"batch_id": "1"}, {**shown, "batch_version": "two"}):
        _refused(
            "does not say which batch", batch_requests.posted_batch, data_set, "catalog", posted
        )

    # Someone else's click, or the file read again (a retried job): each moves it on.
    for change in (
        lambda: handler.acknowledge(first, None),
        lambda: handler.populate(first, shop["files"]),
    ):
        change()
        dbsession.flush()
        _refused(
            f"Batch #{first.id} changed since this page showed it",
            batch_requests.posted_batch,
            data_set,
            "catalog",
            shown,
        )
        shown = batch_requests.shown_fields(first)
    second = _populated(dbsession, shop)
    _refused(
        rf"showed batch #{first.id}, which is no longer the current batch \(batch #{second.id}",
        batch_requests.posted_batch,
        data_set,
        "catalog",
        shown,
    )


def test_each_form_moves_the_version_so_the_same_form_acts_once(dbsession, shop) -> None:
    batch = _populated(dbsession, shop, HEADER + "abc,X,Bad,,,1,1.00\n" + GOOD.split("\n", 1)[1])
    shown = batch_requests.shown_fields(batch)
    batch_requests.acknowledge(shop["data_set"], "catalog", shown, None)
    assert batch.acknowledged_at is not None
    _refused("changed since", batch_requests.acknowledge, shop["data_set"], "catalog", shown, None)

    shown = batch_requests.shown_fields(batch)
    parameters = batch_requests.apply_now(shop["data_set"], "catalog", shown, None, TODAY)
    assert parameters == {"batch_id": batch.id, "batch_version": batch.version, "user_id": None}
    assert batch.version == int(shown["batch_version"]) + 1
    _refused("changed since", batch_requests.apply_now, shop["data_set"], "catalog", shown, None)


def test_a_change_committed_meanwhile_refuses_the_form_and_changes_nothing(dbsession, shop) -> None:
    batch = _populated(dbsession, shop)
    for ask in (batch_requests.apply_now, batch_requests.delete):
        shown = batch_requests.shown_fields(batch)
        _moved_on_behind_its_back(dbsession, batch)
        with pytest.raises(BatchError, match=f"Batch #{batch.id} changed since"):
            ask(
                shop["data_set"],
                "catalog",
                shown,
                *([None] if ask is batch_requests.apply_now else []),
            )
        dbsession.expire_all()
        rows = select(CatalogBatchRow).where(CatalogBatchRow.batch_id == batch.id)
        assert len(dbsession.scalars(rows).all()) == 2  # undone with the savepoint
        assert batch.version == int(shown["batch_version"]) + 1  # the other request's


def _moved_on_behind_its_back(dbsession: Session, batch: Batch) -> None:
    """Another request changes the batch after this one read it (its session still
    holds the version it read)."""
    dbsession.execute(
        update(Batch).where(Batch.id == batch.id).values(version=Batch.version + 1),
        execution_options={"synchronize_session": False},
    )


def test_applying_before_the_effective_date_takes_the_date_confirmed(dbsession, shop) -> None:
    later = TODAY + timedelta(days=7)
    batch = _populated(dbsession, shop, effective_date=later.isoformat())
    ask = batch_requests.apply_now
    shown = batch_requests.shown_fields(batch)
    _refused(
        f"takes effect on {later}, so nothing was applied",
        ask,
        shop["data_set"],
        "catalog",
        shown,
        None,
        TODAY,
    )
    wrong = {**shown, "apply_early": (later - timedelta(days=1)).isoformat()}
    _refused("tick the box", ask, shop["data_set"], "catalog", wrong, None, TODAY)
    assert ask(shop["data_set"], "catalog", shown, None, later)["batch_id"] == batch.id  # its day
    shown = batch_requests.shown_fields(batch)
    confirmed = {**shown, "apply_early": later.isoformat()}
    assert ask(shop["data_set"], "catalog", confirmed, None, TODAY)["batch_id"] == batch.id


def test_schedule_and_unschedule(dbsession, shop) -> None:
    user = make_user(dbsession, "olga")
    later = TODAY + timedelta(days=7)
    undated = _populated(dbsession, shop)
    shown = batch_requests.shown_fields(undated)
    _refused(
        "apply it now",
        batch_requests.schedule,
        shop["data_set"],
        "catalog",
        shown,
        user,
        "apply",
        TODAY,
    )

    batch = _populated(dbsession, shop, effective_date=later.isoformat())
    shown = batch_requests.shown_fields(batch)
    batch_requests.schedule(shop["data_set"], "catalog", shown, user, "apply", TODAY)
    assert (batch.scheduled_for, batch.scheduled_by_id, batch.scheduled_step) == (
        later,
        user.id,
        "apply",
    )
    assert batch.scheduled_version == batch.version  # the version after scheduling it
    shown = batch_requests.shown_fields(batch)
    _refused(
        "already to be applied",
        batch_requests.schedule,
        shop["data_set"],
        "catalog",
        shown,
        user,
        "apply",
        TODAY,
    )

    batch_requests.unschedule(shop["data_set"], "catalog", shown)
    assert (batch.scheduled_for, batch.scheduled_version, batch.scheduled_by_id) == (None,) * 3
    shown = batch_requests.shown_fields(batch)
    _refused("is not scheduled", batch_requests.unschedule, shop["data_set"], "catalog", shown)

    # Applied now, early, a scheduled batch is no longer scheduled.
    batch_requests.schedule(shop["data_set"], "catalog", shown, user, "apply", TODAY)
    confirmed = {**batch_requests.shown_fields(batch), "apply_early": later.isoformat()}
    batch_requests.apply_now(shop["data_set"], "catalog", confirmed, user, TODAY)
    assert batch.scheduled_for is None


def test_a_batch_that_cannot_be_applied_is_neither_applied_nor_scheduled(dbsession, shop) -> None:
    later = (TODAY + timedelta(days=7)).isoformat()
    text = HEADER + "abc,X,Bad,,,1,1.00\n"
    batch = _populated(dbsession, shop, text, effective_date=later)
    shown = batch_requests.shown_fields(batch)
    _refused(
        "acknowledge", batch_requests.apply_now, shop["data_set"], "catalog", shown, None, TODAY
    )
    _refused(
        "acknowledge",
        batch_requests.schedule,
        shop["data_set"],
        "catalog",
        shown,
        None,
        "apply",
        TODAY,
    )
    assert batch.version == int(shown["batch_version"])


def test_refreshing_a_row_moves_the_version_even_when_the_counts_stay(dbsession, shop) -> None:
    batch = _populated(dbsession, shop)
    before, counts = batch.version, dict(batch.status_counts)
    row = dbsession.scalars(
        select(CatalogBatchRow.id).where(CatalogBatchRow.batch_id == batch.id).limit(1)
    ).one()
    handler.refresh_row(batch, row)  # compared again, to the same status
    dbsession.flush()
    assert batch.status_counts == counts
    assert batch.version == before + 1
