"""Applying a catalog batch: set-based statements in the caller's transaction.

The products' change log first (it reads the old costs the rows hold), then the
updates, then new costs and new items, each logged by an INSERT ... SELECT over the
batch's rows: as set-based as the changes. Any failure rolls all of it back with the
transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Insert,
    Integer,
    String,
    and_,
    exists,
    func,
    insert,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session

from poser.models.orm import (
    Batch,
    CatalogBatchRow,
    Department,
    Product,
    ProductChange,
    ProductCost,
)
from poser.tasks.product_history import ChangeSource, source_values

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


def _insert_changes(session: Session, columns: dict[str, Any], where: Any) -> int:
    """One change row per batch row that ``where`` picks: ``columns`` maps the log's
    columns to what each holds (a row's column or a literal)."""
    rows = select(*columns.values()).where(where)
    statement: Insert = insert(ProductChange).from_select(list(columns), rows)
    return _run(session, statement)


def _common(source: ChangeSource, at: datetime) -> dict[str, Any]:
    """The columns every change of this apply has: the data set, the product, the
    batch's row and what made it."""
    return {
        "data_set_id": R.data_set_id,
        "product_id": R.product_id,
        "batch_row_id": R.id,
        **source_values(source, at),
    }


def record_cost_changes(
    session: Session,
    batch: Batch,
    vendor_id: int,
    statuses: tuple[str, ...],
    source: ChangeSource,
    at: datetime,
) -> int:
    """The vendor's cost before and after, for the rows of these statuses, with the
    line's message as the reason (a flagged change says why it was flagged): run
    before the costs change (it reads the old costs the rows hold)."""
    columns = {
        **_common(source, at),
        "reason": func.substr(func.nullif(R.message, ""), 1, 200),
        "field": literal("cost", String),
        "vendor_id": literal(vendor_id, Integer),
        "old_unit_cost": R.old_unit_cost,
        "new_unit_cost": R.unit_cost,
        "old_case_cost": R.old_case_cost,
        "new_case_cost": R.case_cost,
        "old_case_size": R.old_case_size,
        "new_case_size": R.case_size,
    }
    where = and_(R.batch_id == batch.id, R.status.in_(statuses), R.product_id.is_not(None))
    return _insert_changes(session, columns, where)


def record_item_code_changes(
    session: Session, batch: Batch, vendor_id: int, source: ChangeSource, at: datetime
) -> int:
    """The vendor's item code, where a row that updates a cost gives a different one
    (``update_costs`` keeps the old code when the file gives none)."""
    columns = {
        **_common(source, at),
        "field": literal("vendor_item_code", String),
        "vendor_id": literal(vendor_id, Integer),
        "old_value": R.old_vendor_item_code,
        "new_value": R.vendor_item_code,
    }
    where = and_(
        R.batch_id == batch.id,
        R.status.in_(UPDATES),
        R.product_id.is_not(None),
        R.vendor_item_code != "",
        R.vendor_item_code != func.coalesce(R.old_vendor_item_code, ""),
    )
    return _insert_changes(session, columns, where)


def record_added(session: Session, batch: Batch, source: ChangeSource, at: datetime) -> int:
    """The products this batch added (after ``add_products`` has linked them)."""
    columns = {
        **_common(source, at),
        "field": literal("added", String),
        "new_value": func.substr(
            func.coalesce(func.nullif(R.description, ""), literal("UPC ", String) + R.upc_text),
            1,
            200,
        ),
    }
    where = and_(R.batch_id == batch.id, R.status == "new_item", R.product_id.is_not(None))
    return _insert_changes(session, columns, where)


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
