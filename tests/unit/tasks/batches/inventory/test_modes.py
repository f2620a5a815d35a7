"""An inventory count in each mode: what populate compares, what apply sets, and what
the products' history says."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from poser.models.orm import BatchExecution, Export, ProductChange
from poser.tasks.batches import BatchError
from tests.catalog_support import UPC_BUTTER, UPC_MILK, UPC_OTHER_VENDOR, UPC_SOAP
from tests.factories import make_user
from tests.inventory_support import by_upc, count, handler, on_hand, rows, set_on_hand

B, S, M, OTHER = (upc.lstrip("0") for upc in (UPC_BUTTER, UPC_SOAP, UPC_MILK, UPC_OTHER_VENDOR))


def test_replace_compares_in_units_cost_and_retail_then_applies_once(
    dbsession, files, store
) -> None:
    set_on_hand(dbsession, store, butter="10", soap="4", milk="2")
    batch = count(store, files, f"UPC,Qty,Aisle\n{UPC_BUTTER},7,A1\n{UPC_SOAP},4\n")
    assert batch.status == "populated"
    assert batch.status_counts == {"decrease": 1, "unchanged": 1}
    butter = by_upc(dbsession, batch)[B]
    assert (butter.on_hand_before, butter.counted_units, butter.new_on_hand) == (10, 7, 7)
    assert butter.variance_units == -3
    assert butter.variance_cost == Decimal("-6.00")  # 3 x 2.00
    assert butter.variance_retail == Decimal("-15.00")  # 3 x 5.00
    assert butter.variance_percent == Decimal("-30.00")
    assert butter.section == "A1"

    user = make_user(dbsession)
    summary = handler.execute(batch, user)
    assert summary["on_hand_set"] == 1
    assert summary["history_rows"] == 1
    assert on_hand(dbsession, store["butter"]) == 7
    assert on_hand(dbsession, store["milk"]) == 2  # not counted, not zero_rest
    change = dbsession.scalars(
        select(ProductChange).where(ProductChange.product_id == store["butter"].id)
    ).one()
    assert (change.field, change.old_value, change.new_value) == ("on_hand", "10", "7")
    assert (change.batch_id, change.changed_by_id, change.source) == (batch.id, user.id, "batch")
    assert dbsession.get(BatchExecution, batch.id) is not None
    with pytest.raises(BatchError, match=r"already been applied|applied on"):
        handler.execute(batch, user)


def test_adjust_adds_the_count_to_on_hand(dbsession, files, store) -> None:
    set_on_hand(dbsession, store, butter="10")
    batch = count(store, files, f"{UPC_BUTTER},2\n", mode="adjust")
    butter = by_upc(dbsession, batch)[B]
    assert (butter.new_on_hand, butter.variance_units, butter.status) == (12, 2, "increase")
    handler.execute(batch, None)
    assert on_hand(dbsession, store["butter"]) == 12


def test_zero_the_rest_never_touches_an_uncounted_department(dbsession, files, store) -> None:
    # Dairy (1) is counted: butter counted, milk not; soap and other are Health (2).
    set_on_hand(dbsession, store, butter="10", milk="5", soap="8", other="3")
    batch = count(store, files, f"{UPC_BUTTER},9\n", mode="zero_rest", departments=[1])
    found = by_upc(dbsession, batch)
    assert found[M].status == "not_counted"
    assert found[M].new_on_hand == 0
    assert found[M].variance_units == -5
    assert S not in found
    assert OTHER not in found
    summary = handler.execute(batch, None)
    assert summary["zeroed"] == 1
    assert on_hand(dbsession, store["milk"]) == 0
    assert on_hand(dbsession, store["butter"]) == 9
    assert on_hand(dbsession, store["soap"]) == 8
    assert on_hand(dbsession, store["other"]) == 3


def test_zero_the_rest_needs_departments(dbsession, files, store) -> None:
    with pytest.raises(BatchError, match="needs the departments"):
        count(store, files, f"{UPC_BUTTER},9\n", mode="zero_rest")


def test_zero_the_rest_leaves_a_product_whose_lines_are_all_in_error(
    dbsession, files, store
) -> None:
    set_on_hand(dbsession, store, butter="10", milk="5")
    batch = count(
        store, files, f"{UPC_BUTTER},9\n{UPC_MILK},1.5\n", mode="zero_rest", departments=[1]
    )
    assert batch.status_counts.get("not_counted") is None
    assert by_upc(dbsession, batch)[M].status == "error"


def test_variance_only_is_refused_at_apply(dbsession, files, store) -> None:
    set_on_hand(dbsession, store, butter="10")
    batch = count(store, files, f"{UPC_BUTTER},9\n", mode="variance_only")
    assert by_upc(dbsession, batch)[B].variance_units == -1
    with pytest.raises(BatchError, match="nothing is applied"):
        handler.execute(batch, None)
    assert on_hand(dbsession, store["butter"]) == 10


def test_excluded_rows_are_skipped(dbsession, files, store) -> None:
    set_on_hand(dbsession, store, butter="10", soap="1")
    batch = count(store, files, f"{UPC_BUTTER},9\n{UPC_SOAP},3\n")
    row = by_upc(dbsession, batch)[B]
    row.excluded, row.exclude_reason = True, "miscounted"
    dbsession.flush()
    summary = handler.execute(batch, None)
    assert summary["rows_excluded"] == 1
    assert summary["on_hand_set"] == 1
    assert on_hand(dbsession, store["butter"]) == 10
    assert on_hand(dbsession, store["soap"]) == 3


def test_on_hand_moved_since_the_count_refuses_the_apply_naming_the_rows(
    dbsession, files, store
) -> None:
    set_on_hand(dbsession, store, butter="10", soap="1")
    batch = count(store, files, f"{UPC_BUTTER},9\n{UPC_SOAP},3\n")
    set_on_hand(dbsession, store, butter="8")
    with pytest.raises(BatchError, match=r"1 row \(line 1 of scan1.csv\).*Nothing was applied"):
        handler.execute(batch, None)
    assert on_hand(dbsession, store["soap"]) == 1
    from poser.tasks.batches.inventory.compare import mark_moved

    assert mark_moved(dbsession.connection(), batch) == 1
    assert by_upc(dbsession, batch)[B].moved_since == -2
    handler.populate(batch, files)  # read again: compared with on-hand as it is now
    handler.execute(batch, None)
    assert on_hand(dbsession, store["butter"]) == 9
    assert len(rows(dbsession, batch)) == 2


def test_a_copy_of_the_data_set_does_not_take_the_count(dbsession, files, store) -> None:
    from poser.models.orm import InventoryBatchRow
    from poser.tasks.datasets import copy_data_set

    set_on_hand(dbsession, store, butter="10")
    count(store, files, f"{UPC_BUTTER},9\n")
    copy = copy_data_set(store["data_set"], "What if", None)
    dbsession.flush()
    copied = dbsession.scalars(
        select(InventoryBatchRow).where(InventoryBatchRow.data_set_id == copy.id)
    ).all()
    assert copied == []


def test_the_batch_jobs_read_and_apply_a_count(dbsession, files, store) -> None:
    from poser.tasks.batches import jobs as batch_jobs
    from tests.jobs_support import RecordingQueue

    set_on_hand(dbsession, store, butter="10")
    batch = count(store, files, f"{UPC_BUTTER},4\n", populate=False)
    read = batch_jobs.populate(store["data_set"], batch_id=batch.id, files=files)
    assert read["statuses"] == {"decrease": 1}
    applied = batch_jobs.execute(
        store["data_set"], batch_id=batch.id, batch_version=batch.version, queue=RecordingQueue()
    )
    assert applied["on_hand_set"] == 1
    assert on_hand(dbsession, store["butter"]) == 4
    report = batch_jobs.report(store["data_set"], batch_id=batch.id, files=files)
    # The change report lists the one product whose on-hand the count set.
    assert dbsession.get_one(Export, report["export_id"]).row_count == 1
