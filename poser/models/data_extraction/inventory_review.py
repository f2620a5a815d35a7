"""Queries over an inventory count for its review: subtotals by department (the chart
of the variance value reads them too) and the recount list.

Both read the rows whose apply would count (compared with on-hand, not excluded):
merged lines are in their product's first line, rows in error compare with nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, func, select

from poser.models.orm import Department, InventoryBatchRow, Product

R = InventoryBatchRow
#: The statuses of rows compared with on-hand (as ``compare.COMPARED``).
COMPARED = ("increase", "decrease", "not_counted", "unchanged")


def department_subtotals(batch_id: int) -> Select[Any]:
    """Per department (none last): number, department, rows, flagged, variance in
    units, at cost and at retail."""
    return (
        select(
            Department.number.label("number"),
            func.coalesce(Department.name, "No department").label("department"),
            func.count(R.id).label("rows"),
            func.count(func.nullif(R.flagged, false())).label("flagged"),
            func.coalesce(func.sum(R.variance_units), 0).label("variance_units"),
            func.coalesce(func.sum(R.variance_cost), 0).label("variance_cost"),
            func.coalesce(func.sum(R.variance_retail), 0).label("variance_retail"),
        )
        .select_from(R)
        .outerjoin(Department, Department.id == R.department_id)
        .where(R.batch_id == batch_id, R.status.in_(COMPARED), R.excluded == false())
        .group_by(Department.id, Department.number, Department.name)
        .order_by(Department.number.is_(None), Department.number)
    )


def recount_rows(batch_id: int) -> Select[Any]:
    """The rows flagged for recount, by section then UPC: upc (as read), section,
    description, on_hand_before, counted_units, variance_units. A recount list a
    scanner takes back is their ``upc`` column, one per line."""
    return (
        select(
            R.upc_text.label("upc"),
            R.section,
            Product.description,
            R.on_hand_before,
            R.counted_units,
            R.variance_units,
        )
        .select_from(R)
        .outerjoin(Product, Product.id == R.product_id)
        .where(
            R.batch_id == batch_id,
            R.flagged.is_(True),
            R.status.in_(COMPARED),
            R.excluded == false(),
        )
        .order_by(R.section, R.upc)
    )


def error_rows(batch_id: int) -> Select[Any]:
    """The rows in error, in the order read: file_name ("" for a typed line), line,
    message (what is wrong, in the reader's words)."""
    return (
        select(R.file_name, R.line, R.message)
        .where(R.batch_id == batch_id, R.status == "error")
        .order_by(R.id)
    )
