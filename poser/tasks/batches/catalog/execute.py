"""Applying a catalog batch: set-based statements in the caller's transaction.

The products' change log first (it reads the old costs the rows hold), then the
updates, then new costs and new items, each logged by an INSERT ... SELECT over the
batch's rows: as set-based as the changes. Any failure rolls all of it back with the
transaction.

Excluded rows are left out by every statement (``R.excluded`` in its WHERE, beside the
batch's id): the operator took them out of the apply.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import (
    Insert,
    Integer,
    Numeric,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    insert,
    literal,
    literal_column,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session

from poser.models.data_extraction.parameters import stored_parameters
from poser.models.orm import (
    Batch,
    CatalogBatchRow,
    Department,
    Product,
    ProductChange,
    ProductCost,
    Vendor,
)
from poser.tasks.product_history import ChangeSource, source_values

R = CatalogBatchRow
#: What a new item's change log says of its price.
PRICED_BY_DEPARTMENT = "New item priced at its department's target margin over its unit cost"
PRICED_BY_DATA_SET = "New item priced at the data set's target margin over its unit cost"
NEEDS_A_PRICE = (
    "No price: neither its department nor the data set has a target margin. "
    "Added inactive; it is listed under Needs a price"
)
#: The Products pricing parameter a new item's price falls back on, and the dearest price.
TARGET_MARGIN = "target_margin"
MAX_PRICE = Decimal("99999999.99")
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
    where = and_(
        R.batch_id == batch.id,
        R.excluded == false(),
        R.status.in_(statuses),
        R.product_id.is_not(None),
    )
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
        R.excluded == false(),
        R.status.in_(UPDATES),
        R.product_id.is_not(None),
        R.vendor_item_code != "",
        R.vendor_item_code != func.coalesce(R.old_vendor_item_code, ""),
    )
    return _insert_changes(session, columns, where)


def record_added(session: Session, batch: Batch, source: ChangeSource, at: datetime) -> int:
    """The products this batch added (after ``add_products`` has linked them), an
    unpriced one saying so, and the price each priced one got (``record_priced``)."""
    priced = exists().where(Product.id == R.product_id, Product.regular_price.is_not(None))
    columns = {
        **_common(source, at),
        "reason": case((~priced, literal(NEEDS_A_PRICE, String)), else_=None),
        "field": literal("added", String),
        "new_value": func.substr(
            func.coalesce(func.nullif(R.description, ""), literal("UPC ", String) + R.upc_text),
            1,
            200,
        ),
    }
    where = and_(
        R.batch_id == batch.id,
        R.excluded == false(),
        R.status == "new_item",
        R.product_id.is_not(None),
    )
    return _insert_changes(session, columns, where) + record_priced(session, batch, source, at)


def update_costs(session: Session, batch: Batch, vendor_id: int) -> int:
    return _run(
        session,
        update(ProductCost)
        .where(
            R.batch_id == batch.id,
            R.excluded == false(),
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
    ).where(
        R.batch_id == batch.id, R.excluded == false(), R.status == status, R.product_id.is_not(None)
    )
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
    """New items become products, complete or plainly incomplete (``new_item_terms``
    says how each is placed and priced): in the department the file's department
    column names (by name or number), else the vendor's default department; priced at
    that department's target margin over the new unit cost, else at the data set's
    target margin when one was saved for it, rounded to the cent; with no margin to
    price it, active no and no price, so that "Needs a price" lists it. Two
    statements, whatever the number of rows."""
    vendor_default = _vendor_default_department(session, batch)
    inner = select(
        R.data_set_id,
        R.upc,
        func.substr(
            func.coalesce(func.nullif(R.description, ""), literal("UPC ", String) + R.upc_text),
            1,
            200,
        ).label("description"),
        R.brand,
        R.size,
        R.unit_cost,
        func.coalesce(
            _department_of(Department.name, func.lower, R.department),
            _department_of(cast(Department.number, String), func.trim, R.department),
            literal(vendor_default, Integer),
        ).label("department_id"),
    ).where(R.batch_id == batch.id, R.excluded == false(), R.status == "new_item")
    new = inner.subquery()
    department = Department.__table__.alias("priced_by")
    margin = func.coalesce(department.c.target_margin, _data_set_margin(session, batch))
    price = func.round(new.c.unit_cost * literal_column("100.0") / (100 - margin), 2)
    priced = and_(new.c.unit_cost > 0, margin.is_not(None), margin < 100, price <= MAX_PRICE)
    rows = select(
        new.c.data_set_id,
        new.c.upc,
        new.c.description,
        new.c.brand,
        new.c.size,
        new.c.department_id,
        case((priced, price), else_=None),
        case((priced, true()), else_=false()),
        literal(0),
    ).select_from(new.outerjoin(department, department.c.id == new.c.department_id))
    columns = [
        "data_set_id",
        "upc",
        "description",
        "brand",
        "size",
        "department_id",
        "regular_price",
        "active",
        "on_hand",
    ]
    added = _run(session, insert(Product).from_select(columns, rows))
    _run(
        session,
        update(R)
        .where(
            R.batch_id == batch.id,
            R.excluded == false(),
            R.status == "new_item",
            Product.data_set_id == batch.data_set_id,
            Product.upc == R.upc,
        )
        .values(product_id=Product.id),
    )
    return added


def _department_of(key: Any, normal: Any, named: Any) -> Any:
    """The id of the data set's department whose ``key`` (its name, any case, or its
    number as text) is what the row's department column holds."""
    return (
        select(Department.id)
        .where(Department.data_set_id == R.data_set_id, normal(key) == normal(named))
        .order_by(Department.number)
        .limit(1)
        .scalar_subquery()
    )


def _vendor_default_department(session: Session, batch: Batch) -> int | None:
    """The department the batch's vendor puts its new items in, when it still exists."""
    return session.scalar(
        select(Department.id).where(
            Department.data_set_id == batch.data_set_id,
            Department.id
            == select(Vendor.default_department_id)
            .where(Vendor.id == batch.parameters.get("vendor_id"))
            .scalar_subquery(),
        )
    )


def _data_set_margin(session: Session, batch: Batch) -> Any:
    """The data set's target margin (the Products pricing parameter) as a literal, when
    an operator saved one for it; NULL otherwise: a default nobody chose prices
    nothing."""
    stored = stored_parameters(session, batch.data_set_id).get(TARGET_MARGIN)
    try:
        margin = Decimal(str(stored)) if stored not in (None, "") else None
    except InvalidOperation:
        margin = None
    if margin is not None and not Decimal(0) <= margin < 100:
        margin = None
    return literal(margin, Numeric(5, 2))


def record_priced(session: Session, batch: Batch, source: ChangeSource, at: datetime) -> int:
    """The price each new item got (after ``add_products``), with the margin it came
    from as the reason."""
    target = (
        select(Department.target_margin)
        .where(Department.id == Product.department_id)
        .scalar_subquery()
    )
    columns = {
        **_common(source, at),
        "reason": case(
            (target.is_not(None), literal(PRICED_BY_DEPARTMENT, String)),
            else_=literal(PRICED_BY_DATA_SET, String),
        ),
        "field": literal("regular_price", String),
        "new_value": cast(Product.regular_price, String),
    }
    where = and_(
        R.batch_id == batch.id,
        R.excluded == false(),
        R.status == "new_item",
        Product.id == R.product_id,
        Product.regular_price.is_not(None),
    )
    return _insert_changes(session, columns, where)
