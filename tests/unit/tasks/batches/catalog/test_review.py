"""Reviewing a catalog batch: rows excluded with a reason (one, by lines, every flagged
one) and included again, the apply skipping them, the counts, the largest changes with
their margins, and the confirmation that applying flagged rows needs."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from poser.models.orm import Batch, CatalogBatchRow, ProductChange, ProductCost
from poser.tasks.batches import BatchError, exclusions, get_handler
from poser.tasks.batches.catalog import review
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_MILK, UPC_SOAP, make_batch
from tests.factories import make_user

handler = get_handler("catalog")
# Butter +10% (within the tolerance), soap 9.00 -> 1,234.50 a case, milk doubles.
TEXT = (
    HEADER
    + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n"
    + f"{UPC_SOAP},A-200,Lip balm,,,6,1234.50\n"
    + f"{UPC_MILK},A-300,Milk,,,4,24.00\n"
)


def _populated(dbsession: Session, files: Any, store: dict[str, Any]) -> Batch:
    batch = make_batch(store["data_set"], files, TEXT, store["acme"])
    handler.populate(batch, files)
    dbsession.flush()
    return batch


def _rows(dbsession: Session, batch: Batch) -> dict[int, CatalogBatchRow]:
    dbsession.expire_all()
    rows = dbsession.scalars(select(CatalogBatchRow).where(CatalogBatchRow.batch_id == batch.id))
    return {row.line: row for row in rows}


def _cost(dbsession: Session, product: Any) -> Decimal:
    return dbsession.scalar(
        select(ProductCost.case_cost).where(ProductCost.product_id == product.id)
    )


def test_every_flagged_row_is_excluded_with_its_reason_and_the_apply_skips_it(
    dbsession, files, store
) -> None:
    user = make_user(dbsession)
    batch = _populated(dbsession, files, store)
    before = batch.version
    assert review.review_counts(batch) == review.ReviewCounts(2, 2, 0, [])

    assert review.exclude_flagged(batch, user, "  vendor  typo ") == 2
    assert batch.version > before  # an Apply form showing the batch before is stale
    rows = _rows(dbsession, batch)
    assert [line for line, row in sorted(rows.items()) if row.excluded] == [3, 4]
    assert {rows[3].exclude_reason, rows[3].excluded_by_id} == {"vendor typo", user.id}
    assert review.review_counts(batch) == review.ReviewCounts(2, 0, 2, [("vendor typo", 2)])
    review.check_confirmed(batch, {})  # no flagged row left in it: nothing to confirm

    summary = handler.execute(batch, user)
    assert summary["costs_updated"] == 1
    assert summary["rows_excluded"] == 2
    assert _cost(dbsession, store["butter"]) == Decimal("26.40")
    assert _cost(dbsession, store["soap"]) == Decimal("9.00")
    assert _cost(dbsession, store["milk"]) == Decimal("12.00")
    logged = dbsession.scalars(select(ProductChange.product_id)).all()
    assert logged == [store["butter"].id]


def test_rows_are_excluded_by_line_and_included_again(dbsession, files, store) -> None:
    batch = _populated(dbsession, files, store)
    assert review.exclude_lines(batch, "2, 4-4", None, "checking with the vendor") == 2
    with pytest.raises(BatchError, match="None of those lines"):
        review.exclude_lines(batch, "2", None, "again")  # already excluded
    assert review.review_counts(batch).excluded == 2
    assert review.include_rows(batch, "4") == 1
    assert [line for line, row in sorted(_rows(dbsession, batch).items()) if row.excluded] == [2]
    assert review.include_rows(batch) == 1
    assert review.review_counts(batch).excluded == 0
    with pytest.raises(BatchError, match="No excluded row"):
        review.include_rows(batch)


@pytest.mark.parametrize(
    ("lines", "reason", "message"),
    [
        ("2", "", "Say why"),
        ("2", "x" * 201, "keep it to 200"),
        ("two", "typo", "not a line number"),
        ("5-3", "typo", "from the lower line"),
        ("1-5000", "typo", "at most 1,000 lines"),
        ("", "typo", "Name the lines"),
        ("99", "typo", "None of those lines"),
        ("99999999999999999999999", "typo", "no such line"),
    ],
)
def test_an_exclusion_that_cannot_be_is_refused_with_why(
    dbsession, files, store, lines, reason, message
) -> None:
    batch = _populated(dbsession, files, store)
    with pytest.raises(BatchError, match=message):
        review.exclude_lines(batch, lines, None, reason)
    assert review.review_counts(batch).excluded == 0


def test_an_applied_batch_keeps_what_it_applied(dbsession, files, store) -> None:
    batch = _populated(dbsession, files, store)
    handler.execute(batch, None)
    with pytest.raises(BatchError, match="has been applied"):
        review.exclude_flagged(batch, None, "too late")
    with pytest.raises(BatchError, match="has been applied"):
        review.include_rows(batch)


def test_one_row_is_set_as_the_grid_edits_it(dbsession, files, store) -> None:
    batch = _populated(dbsession, files, store)
    row = _rows(dbsession, batch)[3]
    with pytest.raises(ValueError, match="Say why"):
        review.set_exclusion(batch, row.id, True, "", None)
    review.set_exclusion(batch, row.id, True, "wrong pack", None)
    assert _rows(dbsession, batch)[3].exclude_reason == "wrong pack"
    review.set_exclusion(batch, row.id, False, "wrong pack", None)
    assert not _rows(dbsession, batch)[3].excluded
    review.set_exclusion(batch, row.id, None, "typed a reason only", None)  # it means: out
    assert _rows(dbsession, batch)[3].exclude_reason == "typed a reason only"
    with pytest.raises(ValueError, match="not one of the batch's"):
        review.set_exclusion(batch, row.id + 100, True, "x", None)


def test_the_largest_changes_come_first_with_the_margin_at_todays_price(
    dbsession, files, store
) -> None:
    batch = _populated(dbsession, files, store)
    soap, milk = review.largest_changes(batch)
    assert (soap.line, soap.old_case_cost, soap.case_cost) == (
        3,
        Decimal("9.00"),
        Decimal("1234.50"),
    )
    # Price 5.00: unit cost 1.50 leaves 70%, 205.75 leaves -4,015%.
    assert (soap.price, soap.old_margin, soap.margin) == (
        Decimal("5.00"),
        Decimal("70.00"),
        Decimal("-4015.00"),
    )
    assert (milk.line, milk.margin) == (4, Decimal("-20.00"))
    assert [change.line for change in review.largest_changes(batch, flagged_only=False)] == [
        3,
        4,
        2,
    ]
    review.exclude_lines(batch, "3", None, "typo")
    assert [change.line for change in review.largest_changes(batch)] == [4]


def test_applying_flagged_rows_needs_the_count_the_page_confirmed(dbsession, files, store) -> None:
    batch = _populated(dbsession, files, store)
    for posted in ({}, {review.CONFIRM_FIELD: "1"}, {review.CONFIRM_FIELD: "yes"}):
        with pytest.raises(BatchError, match="would apply 2 flagged rows"):
            review.check_confirmed(batch, posted)
    review.check_confirmed(batch, {review.CONFIRM_FIELD: "2"})
    review.exclude_lines(batch, "3", None, "typo")
    with pytest.raises(BatchError, match="1 flagged row,"):
        review.check_confirmed(batch, {review.CONFIRM_FIELD: "2"})  # confirmed before: stale


def test_an_excluded_row_the_catalog_changed_under_does_not_stop_the_apply(
    dbsession, files, store
) -> None:
    batch = _populated(dbsession, files, store)
    dbsession.execute(
        update(ProductCost)
        .where(ProductCost.product_id == store["milk"].id)
        .values(case_cost=Decimal("13.00"), unit_cost=Decimal("3.25"))
    )
    with pytest.raises(BatchError, match="no longer"), dbsession.begin_nested():
        handler.execute(batch, None)
    review.exclude_lines(batch, "4", None, "cost changed meanwhile")
    handler.execute(batch, None)
    assert _cost(dbsession, store["milk"]) == Decimal("13.00")
    assert _cost(dbsession, store["soap"]) == Decimal("1234.50")


def test_the_change_report_says_which_rows_were_left_out_and_why(dbsession, files, store) -> None:
    batch = _populated(dbsession, files, store)
    review.exclude_lines(batch, "3", None, "Price list typo")
    handler.execute(batch, None)
    export = handler.report(batch, files, None)
    text = files.read_bytes(f"{export.folder}/{export.files[0]}").decode("utf-8-sig")
    rows = {row["Line"]: row for row in csv.DictReader(io.StringIO(text))}
    assert (rows["3"]["Left out of the apply"], rows["3"]["Why left out"]) == (
        "Yes",
        "Price list typo",
    )
    assert (rows["4"]["Left out of the apply"], rows["4"]["Why left out"]) == ("No", "")


def test_an_exclusion_of_a_batch_another_request_changed_first_is_refused(
    dbsession, files, store
) -> None:
    batch = _populated(dbsession, files, store)
    # Another request's change, committed while this one had the batch loaded.
    dbsession.execute(
        update(Batch)
        .where(Batch.id == batch.id)
        .values(version=Batch.version + 1)
        .execution_options(synchronize_session=False)  # this request's copy stays as it was
    )
    with pytest.raises(BatchError, match="changed since this page showed it"):
        exclusions.as_shown(batch, lambda b: review.exclude_flagged(b, None, "typo"))
    assert review.review_counts(batch).excluded == 0
