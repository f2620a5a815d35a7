"""Applying a catalog batch: set-based statements in the caller's transaction.

History first (it needs the old costs), then the updates, then new costs and new
items. Any failure rolls all of it back with the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Insert, String, exists, func, insert, literal, select, true, update
from sqlalchemy.orm import Session

from poser.models.orm import (
    Batch,
    CatalogBatchRow,
    CostHistory,
    Department,
    Product,
    ProductCost,
)

R = CatalogBatchRow
#: Rows whose product already has this vendor's cost, which they change.
UPDATES = ("cost_up", "cost_down", "case_size_change", "vendor_code_change")
#: Of those, the ones that change what the product costs.
COST_CHANGES = ("cost_up", "cost_down", "case_size_change", "new_cost", "new_item")


def _run(session: Session, statement: Any) -> int:
    # Core, on the session's connection (no loaded object needs refreshing), keeping the
    # row count, which SQLAlchemy drops for an INSERT unless asked to keep it.
    return (
        session.connection().execute(statement.execution_options(preserve_rowcount=True)).rowcount
    )


def record_history(
    session: Session,
    batch: Batch,
    vendor_id: int,
    statuses: tuple[str, ...],
    user_id: int | None,
    at: datetime,
) -> int:
    rows = select(
        R.data_set_id,
        R.product_id,
        literal(vendor_id),
        R.old_unit_cost,
        R.unit_cost,
        R.old_case_cost,
        R.case_cost,
        R.old_case_size,
        R.case_size,
        literal(batch.id),
        literal(user_id),
        literal(at, CostHistory.changed_at.type),
    ).where(R.batch_id == batch.id, R.status.in_(statuses), R.product_id.is_not(None))
    statement: Insert = insert(CostHistory).from_select(
        [
            "data_set_id",
            "product_id",
            "vendor_id",
            "old_unit_cost",
            "new_unit_cost",
            "old_case_cost",
            "new_case_cost",
            "old_case_size",
            "new_case_size",
            "batch_id",
            "changed_by_id",
            "changed_at",
        ],
        rows,
    )
    return _run(session, statement)


def update_costs(session: Session, batch: Batch, vendor_id: int) -> int:
    return _run(
        session,
        update(ProductCost)
        .where(
            R.batch_id == batch.id,
            R.status.in_(UPDATES),
            ProductCost.product_id == R.product_id,
            ProductCost.vendor_id == vendor_id,
            ProductCost.data_set_id == batch.data_set_id,
        )
        .values(
            unit_cost=R.unit_cost,
            case_cost=R.case_cost,
            case_size=R.case_size,
            vendor_item_code=func.coalesce(
                func.nullif(R.vendor_item_code, ""), ProductCost.vendor_item_code
            ),
        ),
    )


def add_costs(session: Session, batch: Batch, vendor_id: int, status: str) -> int:
    """This vendor's cost for the rows' products; preferred when the product has none."""
    other = ProductCost.__table__.alias("other")
    has_preferred = exists().where(other.c.product_id == R.product_id, other.c.preferred == true())
    rows = select(
        R.data_set_id,
        R.product_id,
        literal(vendor_id),
        R.vendor_item_code,
        R.case_size,
        R.case_cost,
        R.unit_cost,
        ~has_preferred,
    ).where(R.batch_id == batch.id, R.status == status, R.product_id.is_not(None))
    columns = [
        "data_set_id",
        "product_id",
        "vendor_id",
        "vendor_item_code",
        "case_size",
        "case_cost",
        "unit_cost",
        "preferred",
    ]
    return _run(session, insert(ProductCost).from_select(columns, rows))


def add_products(session: Session, batch: Batch) -> int:
    """New items become products (unpriced: someone sets the price), in the department
    whose name the file gave, when there is one."""
    department = (
        select(Department.id)
        .where(
            Department.data_set_id == batch.data_set_id,
            func.lower(Department.name) == func.lower(R.department),
        )
        .limit(1)
        .scalar_subquery()
    )
    description = func.coalesce(
        func.nullif(R.description, ""), literal("UPC ", String) + R.upc_text
    )
    rows = select(
        R.data_set_id,
        R.upc,
        func.substr(description, 1, 200),
        R.brand,
        R.size,
        department,
        literal(0),
    ).where(R.batch_id == batch.id, R.status == "new_item")
    columns = ["data_set_id", "upc", "description", "brand", "size", "department_id", "on_hand"]
    added = _run(session, insert(Product).from_select(columns, rows))
    _run(
        session,
        update(R)
        .where(
            R.batch_id == batch.id,
            R.status == "new_item",
            Product.data_set_id == batch.data_set_id,
            Product.upc == R.upc,
        )
        .values(product_id=Product.id),
    )
    return added
