"""Reverting an applied catalog batch: a new batch of the values from before the apply,
applied like any batch and logged on each product as made by it; products changed since
are left alone (excluded, with why); refused for a batch that cannot be undone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from poser.models.orm import (
    Batch,
    BatchExecution,
    CatalogBatchRow,
    Job,
    Product,
    ProductChange,
    ProductCost,
)
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.batches import revert as undoing
from poser.tasks.batches.catalog import revert
from poser.tasks.batches.requests import shown_fields
from poser.tasks.product_history import ChangeSource, product_values, record_product_changes
from tests.catalog_support import (
    HEADER,
    UPC_BUTTER,
    UPC_MILK,
    UPC_NEW,
    UPC_OTHER_VENDOR,
    UPC_SOAP,
    make_batch,
)
from tests.factories import make_user
from tests.jobs_support import RecordingQueue

handler = get_handler("catalog")
TEXT = (
    HEADER
    + f"{UPC_BUTTER},A-101,Butter,,,12,26.40\n"  # cost up, new item code
    + f"{UPC_SOAP},A-200,Soap,,,6,1234.50\n"  # cost up (flagged)
    + f"{UPC_MILK},A-300,Milk,,,4,10.00\n"  # cost down
    + f"{UPC_OTHER_VENDOR},A-900,Other,,,10,11.00\n"  # a new cost: BETA sells it, not ACME
    + f"{UPC_NEW},A-500,Lip balm,,,12,20.00\n"  # a new item
)


def _applied(dbsession: Session, files: Any, store: dict[str, Any], user: Any) -> Batch:
    # The new item goes to Dairy, priced at its 40% margin: active.
    store["dairy"].target_margin = Decimal("40")
    store["acme"].default_department_id = store["dairy"].id
    batch = make_batch(store["data_set"], files, TEXT, store["acme"], new_items="add")
    handler.populate(batch, files)
    handler.execute(batch, user)
    dbsession.flush()
    return batch


def _revert(store: dict[str, Any], batch: Batch, user: Any, **posted: Any) -> tuple[Batch, Job]:
    posted = {**shown_fields(batch), revert.CONFIRM_FIELD: str(batch.id), **posted}
    return revert.revert_batch(store["data_set"], posted, user, RecordingQueue())


def _acme_cost(dbsession: Session, product_id: int, store: dict[str, Any]) -> Any:
    return dbsession.execute(
        select(ProductCost.case_size, ProductCost.case_cost, ProductCost.vendor_item_code).where(
            ProductCost.product_id == product_id, ProductCost.vendor_id == store["acme"].id
        )
    ).one_or_none()


def test_a_revert_puts_back_every_cost_removes_new_costs_and_retires_new_items(
    dbsession, files, store
) -> None:
    user = make_user(dbsession)
    original = _applied(dbsession, files, store, user)
    added = dbsession.scalar(select(Product).where(Product.upc == UPC_NEW.zfill(14)))
    assert revert.planned(original) == {"costs_restored": 3, "costs_removed": 1, "items_retired": 1}

    batch, job = _revert(store, original, user)
    assert (batch.reverts_batch_id, batch.status) == (original.id, "populated")
    assert job.parameters == {
        "batch_id": batch.id,
        "batch_version": batch.version,
        "user_id": user.id,
    }
    assert batch.status_counts == {
        "cost_down": 2,
        "cost_up": 1,
        "remove_cost": 1,
        "retire_item": 1,
    }
    summary = handler.execute(batch, user)  # what the queued job does
    assert dbsession.get(BatchExecution, batch.id) is not None
    assert (summary["costs_updated"], summary["costs_removed"], summary["items_retired"]) == (
        3,
        2,
        1,
    )

    assert _acme_cost(dbsession, store["butter"].id, store) == (12, Decimal("24.00"), "A-100")
    assert _acme_cost(dbsession, store["soap"].id, store) == (6, Decimal("9.00"), "A-200")
    assert _acme_cost(dbsession, store["milk"].id, store) == (4, Decimal("12.00"), "A-300")
    assert _acme_cost(dbsession, store["other"].id, store) is None
    assert _acme_cost(dbsession, added.id, store) is None
    dbsession.refresh(added)
    assert added.active is False

    logged = dbsession.execute(
        select(ProductChange.product_id, ProductChange.field, ProductChange.reason).where(
            ProductChange.batch_id == batch.id
        )
    ).all()
    reason = f"Undoes batch #{original.id}"
    assert sorted(logged) == sorted(
        [
            (store["butter"].id, "cost", reason),
            (store["butter"].id, "vendor_item_code", None),
            (store["soap"].id, "cost", reason),
            (store["milk"].id, "cost", reason),
            (store["other"].id, "cost", reason),
            (added.id, "active", reason),
            (added.id, "cost", reason),
        ]
    )
    with pytest.raises(BatchError, match="already reverted, by batch"):
        _revert(store, original, user)
    with pytest.raises(BatchError, match="undoes batch"):
        _revert(store, batch, user)


def test_products_changed_since_are_left_alone_and_listed(dbsession, files, store) -> None:
    user = make_user(dbsession)
    original = _applied(dbsession, files, store, user)
    dbsession.execute(  # someone edits the milk's cost after the apply
        update(ProductCost)
        .where(
            ProductCost.product_id == store["milk"].id, ProductCost.vendor_id == store["acme"].id
        )
        .values(case_cost=Decimal("11.00"), unit_cost=Decimal("2.75"))
    )
    added = dbsession.scalar(select(Product).where(Product.upc == UPC_NEW.zfill(14)))
    before = product_values(added)
    added.regular_price = Decimal("3.49")  # and prices the new item
    record_product_changes(added, before, ChangeSource("edit", user_id=user.id, page="p/s"))
    dbsession.flush()

    batch, _ = _revert(store, original, user)
    left = dbsession.execute(
        select(CatalogBatchRow.line, CatalogBatchRow.exclude_reason).where(
            CatalogBatchRow.batch_id == batch.id, CatalogBatchRow.excluded
        )
    ).all()
    reason = f"Changed since batch #{original.id} was applied: left as it is"
    assert sorted(left) == [(4, reason), (6, reason)]
    summary = handler.execute(batch, user)
    assert (summary["rows_excluded"], summary["items_retired"]) == (2, 0)
    assert _acme_cost(dbsession, store["milk"].id, store)[1] == Decimal("11.00")
    assert _acme_cost(dbsession, store["butter"].id, store)[1] == Decimal("24.00")
    dbsession.refresh(added)
    assert added.active is True


@pytest.mark.parametrize("case", ["not applied", "deleted", "unconfirmed", "stale", "other"])
def test_a_revert_that_cannot_be_is_refused_with_why(dbsession, files, store, case) -> None:
    user = make_user(dbsession)
    if case == "not applied":
        batch = make_batch(store["data_set"], files, TEXT, store["acme"])
        handler.populate(batch, files)
        message, posted = "has not been applied", {}
    elif case == "deleted":
        batch = make_batch(store["data_set"], files, TEXT, store["acme"])
        handler.populate(batch, files)
        fields = shown_fields(batch)
        handler.delete(batch)
        dbsession.flush()
        message, posted = "deleted|no batch", fields
    else:
        batch = _applied(dbsession, files, store, user)
        message, posted = {
            "unconfirmed": ("tick the box", {revert.CONFIRM_FIELD: ""}),
            "stale": ("changed since this page", {"batch_version": str(batch.version - 1)}),
            "other": ("no batch #", {"batch_id": str(batch.id + 50)}),
        }[case]
    fields = {**shown_fields(batch), revert.CONFIRM_FIELD: str(batch.id), **posted}
    with pytest.raises(BatchError, match=message):
        revert.revert_batch(store["data_set"], fields, user, RecordingQueue())
    assert dbsession.scalars(select(Batch).where(Batch.reverts_batch_id.is_not(None))).all() == []


def test_a_revert_waiting_to_be_applied_is_applied_or_deleted_first(
    dbsession, files, store
) -> None:
    user = make_user(dbsession)
    original = _applied(dbsession, files, store, user)
    pending, _ = _revert(store, original, user)
    with pytest.raises(BatchError, match=f"Batch #{pending.id}, which reverts"):
        _revert(store, original, user)


def test_two_reverts_at_once_make_one(dbsession, files, store) -> None:
    user = make_user(dbsession)
    original = _applied(dbsession, files, store, user)
    posted = {**shown_fields(original), revert.CONFIRM_FIELD: str(original.id)}
    # The other request's revert moved the batch on after this one read it.
    dbsession.execute(
        update(Batch)
        .where(Batch.id == original.id)
        .values(version=Batch.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(BatchError, match="changed while this was asked"):
        revert.revert_batch(store["data_set"], posted, user, RecordingQueue())
    assert undoing.reverts_of(dbsession, original) == []
