"""Comparing catalog rows with the data set: what each row would change.

Rows are compared a chunk at a time, as they are read: one query fetches the products
of a chunk's UPCs and this vendor's costs for them (through the unique index on the
data set and UPC), and `decide` sets each row's status before the chunk is inserted.
Memory holds one chunk, whatever the file's size. Duplicates need the whole file, so
they are found afterwards, by the database, from the batch's (batch_id, upc) index.

When the batch is applied, `no_longer_as_read` finds, in one statement, the rows whose
comparison the catalog no longer bears out (another batch applied, a cost edited since
the file was read).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, case, false, func, or_, select, update

from poser.models.orm import Batch, CatalogBatchRow, Product, ProductCost

R = CatalogBatchRow
#: Duplicate UPCs looked up per statement (well under every driver's parameter limit).
DUPLICATE_SLICE = 1_000
_HUNDREDTH = Decimal("0.01")
_TEN_THOUSANDTH = Decimal("0.0001")
#: cost_change_percent is Numeric(10, 2): PostgreSQL refuses a percent from here up.
_PERCENT_LIMIT = Decimal(10) ** 8


#: A product, and this vendor's cost for it (the last four None when the vendor has
#: none): product id, vendor item code, case size, case cost, unit cost. The costs are as
#: the driver returns them (SQLite: float, PostgreSQL: Decimal): most products of a big
#: file are never compared on cost, so only those that are are converted. A plain tuple
#: as the driver returns it: making a named tuple for each of a million rows costs more
#: than the query.
Current = tuple[int, str | None, int | None, Any, Any]

# The driver's own SQL, run on the driver's cursor: SQLAlchemy's expanding IN renders
# 5,000 placeholders per chunk and its rows cost more than the lookup itself (measured:
# 1.5 s of a 200,000-row populate, against 0.4 s like this). One parameter holds the
# chunk's UPCs: a JSON array for SQLite, an array for PostgreSQL.
_CURRENT_SQL = """
SELECT product.upc, product.id, product_cost.vendor_item_code, product_cost.case_size,
       product_cost.case_cost, product_cost.unit_cost
FROM product
LEFT OUTER JOIN product_cost
  ON product_cost.product_id = product.id AND product_cost.vendor_id = {vendor_id}
WHERE product.data_set_id = {data_set_id} AND product.upc {in_upcs}
"""
_CURRENT_BY_DIALECT = {
    "sqlite": _CURRENT_SQL.format(
        vendor_id="?", data_set_id="?", in_upcs="IN (SELECT value FROM json_each(?))"
    ),
    "postgresql": _CURRENT_SQL.format(vendor_id="%s", data_set_id="%s", in_upcs="= ANY(%s)"),
}


def current_costs(
    connection: Connection, data_set_id: int, vendor_id: int, upcs: Sequence[str]
) -> dict[str, Current]:
    if not upcs:
        return {}
    dialect = connection.dialect.name
    listed: object = json.dumps(list(upcs)) if dialect == "sqlite" else list(upcs)
    # The DBAPI connection of the caller's transaction.
    cursor = connection.connection.cursor()
    try:
        cursor.execute(_CURRENT_BY_DIALECT[dialect], (vendor_id, data_set_id, listed))
        return {row[0]: row[1:] for row in cursor.fetchall()}
    finally:
        cursor.close()


def _decimal(value: Any, quantum: Decimal) -> Decimal:
    if value.__class__ is not Decimal:
        value = Decimal(repr(value))
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def decide(record: dict[str, Any], current: Current | None, tolerance: Decimal) -> None:
    """Set a readable row's status, its old values and its change, in place."""
    if current is None:
        record["status"] = "new_item"
        return
    product_id, vendor_item_code, case_size, case_cost, unit_cost = current
    record["product_id"] = product_id
    if unit_cost is None:
        record["status"] = "new_cost"
        return
    record["old_vendor_item_code"] = vendor_item_code
    record["old_case_size"] = case_size
    record["old_case_cost"] = _decimal(case_cost, _HUNDREDTH)
    record["old_unit_cost"] = old = _decimal(unit_cost, _TEN_THOUSANDTH)
    new = _decimal(record["unit_cost"], _TEN_THOUSANDTH)
    change = new - old
    record["cost_change"] = change
    percent = None
    if old > 0:
        percent = (change * 100 / old).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)
        if abs(percent) < _PERCENT_LIMIT:  # else only the message says it (still flagged)
            record["cost_change_percent"] = percent
    if change > 0:
        record["status"] = "cost_up"
    elif change < 0:
        record["status"] = "cost_down"
    elif record["case_size"] != case_size:
        record["status"] = "case_size_change"
    # A file without item codes says nothing about them.
    elif record["vendor_item_code"] and record["vendor_item_code"] != vendor_item_code:
        record["status"] = "vendor_code_change"
    else:
        record["status"] = "unchanged"
    if change and percent is not None and abs(percent) > tolerance:
        record["flagged"] = True
        record["message"] = (
            f"the cost changes by {percent}%, more than the tolerance of {tolerance}%"
        )


def flag_duplicates(connection: Connection, batch: Batch) -> int:
    """Every line of a UPC that appears more than once is an error: which line's cost
    is right is for the vendor to say, not for us to guess. Returns how many lines."""
    # Two plain statements, not one with a subquery: PostgreSQL plans the semi-join
    # of a freshly loaded million rows as a nested loop that runs for minutes.
    repeated = (
        connection.execute(
            select(R.upc)
            .where(R.batch_id == batch.id, R.upc.is_not(None))
            .group_by(R.upc)
            .having(func.count() > 1)
        )
        .scalars()
        .all()
    )
    details = []
    for start in range(0, len(repeated), DUPLICATE_SLICE):
        details += connection.execute(
            select(R.upc, func.count(), func.min(R.line))
            .where(R.batch_id == batch.id, R.upc.in_(repeated[start : start + DUPLICATE_SLICE]))
            .group_by(R.upc)
        ).all()
    if not details:
        return 0
    notes = [
        {"b_upc": upc, "note": f"the UPC is on {times} lines of the file (first on line {first})"}
        for upc, times, first in details
    ]
    # Rows already in error keep their message and get the note after it; the others'
    # messages (a flag) no longer matter.
    note = bindparam("note")
    message = case(
        (and_(R.status == "error", R.message != ""), R.message + "; " + note), else_=note
    )
    connection.execute(
        update(R)
        .where(R.batch_id == batch.id, R.upc == bindparam("b_upc"))
        .values(status="error", flagged=False, message=message),
        notes,
    )
    return sum(times for _, times, _ in details)


#: The statuses of rows compared with the vendor's cost it had (the old values); a
#: revert's "remove_cost" and "retire_item" rows remove a cost the vendor has, as their
#: old values say (the latter of a product the reverted batch added).
HAD_A_COST = (
    "cost_up",
    "cost_down",
    "case_size_change",
    "vendor_code_change",
    "unchanged",
    "remove_cost",
    "retire_item",
)
#: Every status of a compared row; rows in error were never compared, and are skipped.
COMPARED = ("new_item", "new_cost", *HAD_A_COST)
#: How far a stored cost may be from a row's old one (kept to its column's places) and
#: still be the same: half the last place, and a little for SQLite's binary floats.
_UNIT_COST_SLACK = 0.00006
_CASE_COST_SLACK = 0.006
#: The lines a refusal names.
LINES_NAMED = 5


def no_longer_as_read(connection: Connection, batch: Batch) -> tuple[int, list[int]]:
    """How many compared rows of the batch the catalog no longer bears out, and the
    first of their lines: a new item whose UPC is a product now, a row whose product is
    gone, a new cost the vendor has now, a change from a cost the vendor no longer
    has (another unit cost, case cost, pack or item code, or none). Excluded rows are
    not applied, so nothing about them stops the apply.

    Applying such a row would do what nobody reviewed, or fail on a unique key (a
    second cost of the vendor for a product, a second product of a UPC). One pass
    over the batch's rows, through the products' (data set, UPC) and the costs'
    (product, vendor) unique indexes."""
    stale = stale_rows(batch, R.line).where(R.excluded == false())
    count = connection.scalar(select(func.count()).select_from(stale.subquery())) or 0
    if not count:
        return 0, []
    lines = connection.scalars(stale.order_by(R.line).limit(LINES_NAMED)).all()
    return count, list(lines)


def stale_rows(batch: Batch, *columns: Any) -> Select[Any]:
    """``columns`` of the batch's compared rows that the catalog no longer bears out
    (see ``no_longer_as_read``), excluded or not."""
    vendor_id = batch.parameters["vendor_id"]
    changed = or_(
        and_(R.status == "new_item", Product.id.is_not(None)),
        and_(
            R.status != "new_item",
            or_(Product.id.is_(None), R.product_id.is_(None), Product.id != R.product_id),
        ),
        and_(R.status == "new_cost", ProductCost.id.is_not(None)),
        and_(
            R.status.in_(HAD_A_COST),
            or_(
                ProductCost.id.is_(None),
                func.abs(ProductCost.unit_cost - R.old_unit_cost) > _UNIT_COST_SLACK,
                func.abs(ProductCost.case_cost - R.old_case_cost) > _CASE_COST_SLACK,
                ProductCost.case_size != R.old_case_size,
                ProductCost.vendor_item_code != func.coalesce(R.old_vendor_item_code, ""),
            ),
        ),
    )
    return (
        select(*columns)
        .select_from(R)
        .outerjoin(Product, and_(Product.data_set_id == batch.data_set_id, Product.upc == R.upc))
        .outerjoin(
            ProductCost,
            and_(
                ProductCost.product_id == Product.id,
                ProductCost.vendor_id == vendor_id,
                ProductCost.data_set_id == batch.data_set_id,
            ),
        )
        .where(R.batch_id == batch.id, R.status.in_(COMPARED), changed)
    )
