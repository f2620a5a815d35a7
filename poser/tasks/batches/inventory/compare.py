"""Comparing a count with on-hand, set-based: a statement per step over the batch's
rows, never a query per row.

The rows come in matched with their products (``match``: product, on-hand, cost and
price as they were when read, cases in units, the lines the catalog cannot bear out in
error). Then: a product's lines add up on its first line (the others are ``merged``);
in "zero the rest" mode the uncounted products of the counted departments get a row
going to zero; each row's new on-hand, variance and status; the recount flags.

``upcs`` limits a comparison to the rows of those UPCs: a typed line added, edited or
removed compares its product again (``reset`` first), not the whole count. A whole
count's rows come in already compared as if each product were on one line (``load``,
with ``variances`` and ``flag_checks``, the expressions the passes here use); then
``after_load`` compares again only the products on several lines and adds the rows
of "zero the rest".
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
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
    or_,
    select,
    update,
)

from poser.models.orm import Batch, InventoryBatchRow, Product
from poser.tasks.batches.inventory.match import MAX_UNITS

R = InventoryBatchRow
#: The rows whose apply changes on-hand.
APPLIED = ("increase", "decrease", "not_counted")
#: Rows compared with on-hand (their ``on_hand_before`` is what the count was read
#: against): what a change of on-hand since makes stale.
COMPARED = (*APPLIED, "unchanged")
NOT_COUNTED = "Not counted: its department is being counted, so it goes to zero"
#: On-hand differs when it moved by more than this (SQLite keeps decimals as floats).
_SLACK = 0.0005


def _run(connection: Connection, statement: Any) -> int:
    return connection.execute(statement.execution_options(preserve_rowcount=True)).rowcount


def compare(connection: Connection, batch: Batch, upcs: Sequence[str] | None = None) -> None:
    """Compare the batch's matched rows (those of ``upcs``, when given) with on-hand."""
    scope = [R.batch_id == batch.id]
    if upcs is not None:
        scope.append(R.upc.in_(list(upcs)))
    pending = and_(*scope, R.status.is_(None))
    _replace_by_recount(connection, batch, pending)
    _merge(connection, pending)
    if batch.parameters.get("mode") == "zero_rest":
        _zero_the_rest(connection, batch, upcs)
    _variances(connection, batch, and_(*scope, or_(R.status.is_(None), R.status == "not_counted")))
    _flag(connection, batch, and_(*scope, R.status.in_(COMPARED)))


def after_load(connection: Connection, batch: Batch) -> None:
    """Finish a comparison of rows inserted already compared as if each product were
    counted on one line (``load``): the products on several lines have their lines
    added up and compared again; in "zero the rest" mode, the uncounted products of the
    counted departments get their rows. Only those rows are touched."""
    several = (
        select(R.product_id)
        .where(R.batch_id == batch.id, R.product_id.is_not(None))
        .group_by(R.product_id)
        .having(func.count() > 1)
    )
    if connection.scalar(select(exists(several))):
        scope = and_(R.batch_id == batch.id, R.product_id.in_(several.scalar_subquery()))
        _reset(connection, scope)
        _replace_by_recount(connection, batch, and_(scope, R.status.is_(None)))
        _merge(connection, and_(scope, R.status.is_(None)))
        _variances(connection, batch, and_(scope, R.status.is_(None)))
        _flag(connection, batch, and_(scope, R.status.in_(COMPARED)))
    if batch.parameters.get("mode") == "zero_rest":
        _zero_the_rest(connection, batch, None)
        rest = and_(R.batch_id == batch.id, R.status == "not_counted")
        _variances(connection, batch, rest)
        _flag(connection, batch, rest)


def reset(connection: Connection, batch: Batch, upcs: Sequence[str]) -> None:
    """Make the compared rows of ``upcs`` as matched again (a typed line changed), to be
    compared afresh; a product's not-counted row goes (``compare`` adds it back if
    nothing counts it). Rows in error stay as they are."""
    scope = and_(R.batch_id == batch.id, R.upc.in_(list(upcs)))
    connection.execute(R.__table__.delete().where(scope, R.status == "not_counted"))
    _reset(connection, scope)


def _reset(connection: Connection, scope: Any) -> None:
    connection.execute(
        update(R)
        .where(scope, R.status.in_(("merged", "replaced", *COMPARED)))
        .values(
            status=None,
            flagged=False,
            message="",
            counted_units=R.quantity_units,
            new_on_hand=None,
            variance_units=None,
            variance_percent=None,
            variance_cost=None,
            variance_retail=None,
            moved_since=None,
        )
    )


def _error(connection: Connection, where: Any, message: Any) -> int:
    return _run(connection, update(R).where(where).values(status="error", message=message))


def _says(before: str, after: str) -> Any:
    return literal(before, String) + R.upc_text + literal(" " + after, String)


def recount_files(batch: Batch) -> list[str]:
    """The names of the count's recount files (uploaded as a recount)."""
    return [f["name"] for f in batch.parameters.get("files") or [] if f.get("recount")]


def _replace_by_recount(connection: Connection, batch: Batch, pending: Any) -> None:
    """A product a recount file counts again is counted by its recount lines alone: its
    other lines (of other files, or typed) are ``replaced`` and add nothing. A recount
    line in error replaces nothing."""
    recounts = recount_files(batch)
    if not recounts:
        return
    other = R.__table__.alias("recount")
    recounted = and_(
        other.c.batch_id == R.batch_id,
        other.c.product_id == R.product_id,
        other.c.file_name.in_(recounts),
        or_(other.c.status.is_(None), other.c.status != "error"),
    )
    first = (
        select(other.c.file_name)
        .where(recounted)
        .order_by(other.c.id)
        .limit(1)
        .correlate(R)
        .scalar_subquery()
    )
    _run(
        connection,
        update(R)
        .where(pending, R.file_name.not_in(recounts), exists().where(recounted).correlate(R))
        .values(
            status="replaced",
            counted_units=None,
            message=literal("Replaced by its recount in ", String) + first,
        ),
    )


def _merge(connection: Connection, pending: Any) -> None:
    """A product's lines add up on its first line; the others say where they went. Only
    the rows of products on more than one line are touched (an index probe each)."""
    other = R.__table__.alias("other")
    same = and_(
        other.c.batch_id == R.batch_id,
        other.c.product_id == R.product_id,
        other.c.status.is_(None),
    )
    earlier = exists().where(same, other.c.id < R.id).correlate(R)
    later = exists().where(same, other.c.id > R.id).correlate(R)
    total = select(func.sum(other.c.quantity_units)).where(same).correlate(R).scalar_subquery()
    _run(
        connection,
        update(R).where(pending, later, ~earlier).values(counted_units=total),
    )
    head = R.__table__.alias("first_line")
    first = select(func.min(other.c.id)).where(same).correlate(R).scalar_subquery()
    where = (
        select(
            case(
                (
                    head.c.file_name == "",
                    literal("typed line ", String) + cast(head.c.line, String),
                ),
                else_=literal("line ", String)
                + cast(head.c.line, String)
                + literal(" of ", String)
                + head.c.file_name,
            )
        )
        .where(head.c.id == first)
        .scalar_subquery()
    )
    _run(
        connection,
        update(R)
        .where(pending, earlier)
        .values(
            status="merged",
            counted_units=None,
            message=literal("Added to the count on ", String) + where,
        ),
    )
    _error(
        connection,
        and_(pending, R.counted_units > MAX_UNITS),
        _says("UPC ", f"is counted more than {MAX_UNITS:,} times in all, which cannot be right"),
    )


def _zero_the_rest(connection: Connection, batch: Batch, upcs: Sequence[str] | None) -> None:
    """A row going to zero for each product of the counted departments that has no row
    (a product whose lines are all in error has rows, and is left as it is)."""
    departments = batch.parameters.get("department_ids") or []
    if not departments:  # refused by the options: never every department
        return
    counted = exists().where(R.batch_id == batch.id, R.product_id == Product.id)
    rows = select(
        Product.data_set_id,
        literal(batch.id, Integer),
        literal(0, Integer),
        literal("", String),
        Product.upc,
        Product.upc,
        Product.id,
        Product.department_id,
        literal("", String),
        literal("units", String),
        literal(0, Integer),
        Product.on_hand,
        Product.preferred_unit_cost,
        Product.regular_price,
        literal("not_counted", String),
        false(),
        literal(NOT_COUNTED, String),
    ).where(
        Product.data_set_id == batch.data_set_id,
        Product.department_id.in_(departments),
        Product.on_hand != 0,
        ~counted,
    )
    if upcs is not None:
        rows = rows.where(Product.upc.in_(list(upcs)))
    columns = [
        "data_set_id",
        "batch_id",
        "line",
        "file_name",
        "upc_text",
        "upc",
        "product_id",
        "department_id",
        "section",
        "unit",
        "counted_units",
        "on_hand_before",
        "unit_cost",
        "unit_price",
        "status",
        "flagged",
        "message",
    ]
    _run(connection, insert(R).from_select(columns, rows))


def variances(adjust: bool, counted: Any, on_hand: Any, cost: Any, price: Any) -> dict[str, Any]:
    """A row's new on-hand and variances, as expressions of its counted units, on-hand
    before, unit cost and price (columns, or the values of a row being inserted)."""
    new = on_hand + counted if adjust else counted
    variance = new - on_hand
    percent = func.round(variance * literal_column("100.0") / func.abs(on_hand), 2)
    return {
        "new_on_hand": new,
        "variance_units": variance,
        "variance_cost": func.round(variance * cost, 2),
        "variance_retail": func.round(variance * price, 2),
        "variance_percent": case((on_hand != 0, cast(percent, Numeric(14, 2))), else_=None),
    }


def status_of(variance: Any) -> Any:
    return case((variance > 0, "increase"), (variance < 0, "decrease"), else_="unchanged")


def _variances(connection: Connection, batch: Batch, where: Any) -> None:
    """New on-hand, variance and status, in one pass over the rows."""
    values = variances(
        batch.parameters.get("mode") == "adjust",
        R.counted_units,
        R.on_hand_before,
        R.unit_cost,
        R.unit_price,
    )
    status = case((R.status == "not_counted", R.status), else_=status_of(values["variance_units"]))
    _run(connection, update(R).where(where).values(**values, status=status))


def flag_checks(parameters: dict[str, Any], values: dict[str, Any], department: Any) -> list[Any]:
    """(condition, note) for each reason to flag a row for recount, as expressions of
    its ``variances`` and department."""
    checks = []
    if parameters.get("threshold_units") is not None:
        limit = Decimal(parameters["threshold_units"])
        checks.append((func.abs(values["variance_units"]) > limit, f"more than {limit} units"))
    if parameters.get("threshold_percent") is not None:
        limit = Decimal(parameters["threshold_percent"])
        checks.append((func.abs(values["variance_percent"]) > limit, f"more than {limit}%"))
    if parameters.get("threshold_money") is not None:
        limit = Decimal(parameters["threshold_money"])
        money = func.abs(func.coalesce(values["variance_cost"], values["variance_retail"]))
        checks.append((money > limit, f"more than {limit:.2f} in value"))
    notes = [(condition, f"Recount: the variance is {words}") for condition, words in checks]
    departments = parameters.get("department_ids") or []
    if departments:
        outside = or_(department.is_(None), department.not_in(departments))
        notes.append((outside, "Not in the departments being counted"))
    return notes


def _flag(connection: Connection, batch: Batch, compared: Any) -> None:
    """Flag for recount the rows past a threshold, each saying which."""
    stored = {name: getattr(R, name) for name in ("variance_units", "variance_percent")}
    stored.update(variance_cost=R.variance_cost, variance_retail=R.variance_retail)
    for condition, note in flag_checks(batch.parameters, stored, R.department_id):
        _run(
            connection,
            update(R)
            .where(compared, condition)
            .values(
                flagged=True,
                message=case(
                    (R.message == "", literal(note, String)),
                    else_=R.message + literal("; " + note, String),
                ),
            ),
        )


def moved_rows(batch: Batch) -> Any:
    """The batch's compared rows, not excluded, whose product's on-hand is no longer
    what the count was read against (or whose product is gone)."""
    return (
        select(R.id, R.line, R.file_name, (Product.on_hand - R.on_hand_before).label("moved"))
        .select_from(R)
        .outerjoin(Product, Product.id == R.product_id)
        .where(
            R.batch_id == batch.id,
            R.status.in_(COMPARED),
            R.excluded == false(),
            or_(Product.id.is_(None), func.abs(Product.on_hand - R.on_hand_before) > _SLACK),
        )
    )


def mark_moved(connection: Connection, batch: Batch) -> int:
    """Set each row's ``moved_since`` (by how much on-hand moved since the count was
    read; None when it did not) and flag the moved ones; how many moved."""
    _run(
        connection,
        update(R)
        .where(R.batch_id == batch.id, R.moved_since.is_not(None))
        .values(moved_since=None),
    )
    moved = moved_rows(batch).subquery()
    return _run(
        connection,
        update(R)
        .where(R.id == moved.c.id)
        .values(moved_since=func.coalesce(moved.c.moved, 0), flagged=True),
    )
