"""What the inventory's Options and Count steps read: the data set's departments by
number (the counted departments are kept by number, as the command line names them),
and what each typed line of a count reads as now."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.models.orm import Department, InventoryBatchRow, Product

R = InventoryBatchRow


def department_numbers(dbsession: Session, data_set_id: int) -> list[tuple[int, str]]:
    """(number, name) of each of the data set's departments, by number."""
    query = (
        select(Department.number, Department.name)
        .where(Department.data_set_id == data_set_id)
        .order_by(Department.number)
    )
    return [(number, name) for number, name in dbsession.execute(query)]


def typed_rows(dbsession: Session, batch_id: int) -> dict[int, dict[str, Any]]:
    """The rows of a count's typed lines by line number: status, message, counted units
    (a product's lines add up on its first), new on-hand, and the product's description."""
    query = (
        select(
            R.line,
            R.status,
            R.message,
            R.counted_units,
            R.on_hand_before,
            R.new_on_hand,
            R.flagged,
            Product.description,
        )
        .outerjoin(Product, Product.id == R.product_id)
        .where(R.batch_id == batch_id, R.file_name == "")
    )
    return {
        row.line: {**row._mapping, **_decimals(row._mapping)} for row in dbsession.execute(query)
    }


def _decimals(values: Any) -> dict[str, Any]:
    # SQLite may hand back floats for numerics: the page shows Decimals.
    return {k: Decimal(repr(v)) for k, v in values.items() if isinstance(v, float)}


def largest_flagged(dbsession: Session, batch_id: int, limit: int = 5) -> list[dict[str, Any]]:
    """The rows flagged for recount that an apply would still apply, the largest
    variance in value first: what the Apply step's confirmation shows."""
    query = (
        select(
            R.upc_text.label("upc"),
            R.upc.label("product_upc"),
            R.product_id,
            Product.description,
            R.section,
            R.on_hand_before,
            R.new_on_hand,
            R.variance_units,
            R.variance_cost,
            R.variance_retail,
        )
        .outerjoin(Product, Product.id == R.product_id)
        .where(
            R.batch_id == batch_id,
            R.flagged.is_(True),
            R.excluded.is_(False),
            R.status.in_(("increase", "decrease", "not_counted")),
        )
        .order_by(func.abs(func.coalesce(R.variance_cost, R.variance_retail, 0)).desc(), R.id)
        .limit(limit)
    )
    return [{**row._mapping, **_decimals(row._mapping)} for row in dbsession.execute(query)]
