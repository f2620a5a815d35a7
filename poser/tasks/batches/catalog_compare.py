"""Comparing a catalog batch's rows with the data set, as a few set-based statements.

A statement per step over all rows (duplicates, match products, fetch the vendor's
costs, decide each status) keeps memory flat whatever the file's size, and lets the
database use its indexes: the rows are never loaded into Python. ``only`` limits each
statement to one row, which is how a single row is refreshed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, select, update
from sqlalchemy.orm import Session

from poser.models.orm import Batch, CatalogBatchRow, Product, ProductCost

R = CatalogBatchRow


def _rows(batch: Batch, only: int | None) -> list[Any]:
    conditions = [R.batch_id == batch.id]
    if only is not None:
        conditions.append(R.id == only)
    return conditions


def flag_duplicates(session: Session, batch: Batch) -> None:
    """Every line of a UPC that appears more than once is an error: which line's cost
    is right is for the vendor to say, not for us to guess."""
    counted = (
        select(
            R.id.label("id"),
            func.count().over(partition_by=R.upc).label("times"),
            func.min(R.line).over(partition_by=R.upc).label("first_line"),
        )
        .where(R.batch_id == batch.id, R.upc.is_not(None))
        .subquery()
    )
    duplicates = select(counted.c.id, counted.c.times, counted.c.first_line).where(
        counted.c.times > 1
    )
    dup = duplicates.subquery()
    note = (
        literal("the UPC is on ")
        + cast(dup.c.times, String)
        + literal(" lines of the file (first on line ")
        + cast(dup.c.first_line, String)
        + literal(")")
    )
    session.execute(
        update(R)
        .where(R.id == dup.c.id)
        .values(
            status="error",
            message=case((R.message == "", note), else_=R.message + literal("; ") + note),
        )
        .execution_options(synchronize_session=False)
    )


def match_products(session: Session, batch: Batch, vendor_id: int, only: int | None = None) -> None:
    """Each row's product (by UPC) and this vendor's current cost for it."""
    session.execute(
        update(R)
        .where(*_rows(batch, only), R.upc == Product.upc, Product.data_set_id == batch.data_set_id)
        .values(product_id=Product.id)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(R)
        .where(
            *_rows(batch, only),
            R.product_id == ProductCost.product_id,
            ProductCost.vendor_id == vendor_id,
            ProductCost.data_set_id == batch.data_set_id,
        )
        .values(
            old_unit_cost=ProductCost.unit_cost,
            old_case_cost=ProductCost.case_cost,
            old_case_size=ProductCost.case_size,
            old_vendor_item_code=ProductCost.vendor_item_code,
        )
        .execution_options(synchronize_session=False)
    )


def decide_statuses(
    session: Session, batch: Batch, tolerance: Decimal, only: int | None = None
) -> None:
    """The status of every row not in error, its cost change, and whether the change is
    beyond the tolerance (in percent of the old unit cost)."""
    change = R.unit_cost - R.old_unit_cost
    status = case(
        (R.product_id.is_(None), "new_item"),
        (R.old_unit_cost.is_(None), "new_cost"),
        (R.unit_cost > R.old_unit_cost, "cost_up"),
        (R.unit_cost < R.old_unit_cost, "cost_down"),
        (R.case_size != R.old_case_size, "case_size_change"),
        # A file without item codes says nothing about them.
        (
            and_(R.vendor_item_code != "", R.vendor_item_code != R.old_vendor_item_code),
            "vendor_code_change",
        ),
        else_="unchanged",
    )
    session.execute(
        update(R)
        .where(*_rows(batch, only), R.status.is_(None))
        .values(
            status=status,
            cost_change=func.round(change, 4),
            cost_change_percent=case(
                (R.old_unit_cost > 0, func.round(change * 100 / R.old_unit_cost, 2)),
                else_=None,
            ),
        )
        .execution_options(synchronize_session=False)
    )
    note = f"the cost changes by more than the tolerance of {tolerance}%"
    session.execute(
        update(R)
        .where(
            *_rows(batch, only),
            R.status.in_(("cost_up", "cost_down")),
            func.abs(R.cost_change_percent) > tolerance,
        )
        .values(flagged=True, message=note)
        .execution_options(synchronize_session=False)
    )


def reset_row(session: Session, batch: Batch, row_id: int) -> None:
    """Forget what a row was compared with (not what was read: errors stay)."""
    session.execute(
        update(R)
        .where(R.batch_id == batch.id, R.id == row_id, R.status != "error")
        .values(
            status=None,
            product_id=None,
            old_unit_cost=None,
            old_case_cost=None,
            old_case_size=None,
            old_vendor_item_code=None,
            cost_change=None,
            cost_change_percent=None,
            flagged=False,
            message="",
        )
        .execution_options(synchronize_session=False)
    )
