"""Leaving an inventory count's rows out of its apply: flagged, moved, one row."""

from __future__ import annotations

import pytest

from poser.tasks.batches import BatchError
from poser.tasks.batches.inventory.review import (
    TYPED,
    exclude_flagged,
    exclude_lines,
    exclude_moved,
    include_all,
    include_rows,
    review_counts,
    set_exclusion,
    sources,
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


def test_lines_are_named_in_one_of_the_counts_files_or_its_typed_lines(
    dbsession, files, store
) -> None:
    set_on_hand(dbsession, store, butter="10", soap="1", milk="4")
    first = ("a.csv", f"{UPC_BUTTER},9\n{UPC_SOAP},2\n", "units")
    second = ("b.csv", f"{UPC_MILK},5\n", "units")
    batch = count(store, files, first, second)
    assert sources(batch) == ["a.csv", "b.csv"]
    with pytest.raises(BatchError, match="Say which file"):
        exclude_lines(batch, "1", None, "why", None)
    with pytest.raises(BatchError, match=r"no file c\.csv\."):
        exclude_lines(batch, "1", None, "why", "c.csv")
    with pytest.raises(BatchError, match="no typed lines"):
        exclude_lines(batch, "1", None, "why", TYPED)  # nothing was typed in
    # Line 1 is butter in a.csv and milk in b.csv: only b.csv's is left out.
    assert exclude_lines(batch, "1", None, "recount", "b.csv") == 1
    excluded = {upc for upc, row in by_upc(dbsession, batch).items() if row.excluded}
    assert excluded == {UPC_MILK.lstrip("0")}
    assert exclude_lines(batch, "1-2", None, "recount", "a.csv") == 2
    assert review_counts(batch).excluded == 3
    assert include_rows(batch, "2", "a.csv") == 1
    assert not by_upc(dbsession, batch)[S].excluded
    with pytest.raises(BatchError, match="No excluded row matches"):
        include_rows(batch, "2", "a.csv")
    assert include_rows(batch, "", None) == 2  # no lines: every excluded row


def test_a_count_of_one_file_needs_no_file_named(dbsession, files, store) -> None:
    set_on_hand(dbsession, store, butter="10")
    batch = count(store, files, f"{UPC_BUTTER},9\n")
    with pytest.raises(BatchError, match="is not a line number"):
        exclude_lines(batch, "one", None, "why", None)
    assert exclude_lines(batch, "1", None, "why", None) == 1
