"""Leaving an inventory count's rows out of its apply: flagged, moved, one row."""

from __future__ import annotations

import pytest

from poser.tasks.batches import BatchError
from poser.tasks.batches.inventory.review import (
    exclude_flagged,
    exclude_moved,
    include_all,
    set_exclusion,
)
from tests.catalog_support import UPC_BUTTER, UPC_MILK, UPC_SOAP
from tests.factories import make_user
from tests.inventory_support import by_upc, count, handler, on_hand, set_on_hand

B, S = UPC_BUTTER.lstrip("0"), UPC_SOAP.lstrip("0")


def test_flagged_rows_left_out_then_back(dbsession, files, store) -> None:
    set_on_hand(dbsession, store, butter="10", soap="1")
    batch = count(store, files, f"{UPC_BUTTER},50\n{UPC_SOAP},2\n", threshold_units="5")
    user = make_user(dbsession)
    version = batch.version
    assert exclude_flagged(batch, user, "recount Monday") == 1
    assert batch.version > version
    row = by_upc(dbsession, batch)[B]
    assert (row.excluded, row.exclude_reason, row.excluded_by_id) == (
        True,
        "recount Monday",
        user.id,
    )
    with pytest.raises(BatchError, match="Say why"):
        exclude_flagged(batch, user, " ")
    assert include_all(batch) == 1
    assert not by_upc(dbsession, batch)[B].excluded


def test_moved_rows_left_out_let_the_rest_apply(dbsession, files, store) -> None:
    set_on_hand(dbsession, store, butter="10", soap="1")
    batch = count(store, files, f"{UPC_BUTTER},9\n{UPC_SOAP},2\n")
    set_on_hand(dbsession, store, butter="8")
    assert exclude_moved(batch, None, "sold since") == 1
    assert by_upc(dbsession, batch)[B].moved_since == -2
    handler.execute(batch, None)
    assert on_hand(dbsession, store["butter"]) == 8
    assert on_hand(dbsession, store["soap"]) == 2


def test_one_row_by_the_grid_and_not_an_error_row(dbsession, files, store) -> None:
    batch = count(store, files, f"{UPC_BUTTER},9\n{UPC_MILK},-1\n")
    rows = by_upc(dbsession, batch)
    set_exclusion(batch, rows[B].id, True, "damaged", None)
    assert by_upc(dbsession, batch)[B].excluded
    with pytest.raises(ValueError, match="rows in error are skipped"):
        set_exclusion(batch, rows[UPC_MILK.lstrip("0")].id, True, "x", None)
    set_exclusion(batch, rows[B].id, False, None, None)
    assert not by_upc(dbsession, batch)[B].excluded
