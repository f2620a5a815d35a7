"""A count's lines inserted as rows already matched and compared, by the database.

Each chunk the reader yields goes into the rows with one statement that joins each
line with its product (through the data set's (data set, UPC) unique index), says
what the catalog cannot bear out (``match``'s rules and words), and works out the
variance, the status and the recount flags of a product counted on one line
(``compare``'s expressions): every row is written once, nothing is read back into
Python. A product counted on several lines is put right afterwards by
``compare.after_load``, which adds its lines up; memory holds one chunk.

SQLite takes the statement once per line (``executemany``: one prepared statement,
no round trip); PostgreSQL once per chunk, the lines passed as arrays (``unnest``,
in order: rows keep the order of the lines, which a merge's "first line" reads).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Numeric,
    String,
    and_,
    bindparam,
    case,
    column,
    false,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    text,
    true,
)

from poser.models.orm import Batch, InventoryBatchRow, Product, ProductCost
from poser.tasks.batches.inventory.compare import flag_checks, status_of, variances
from poser.tasks.batches.inventory.match import MAX_UNITS, WEIGHT_SIZES

R = InventoryBatchRow
#: A line as the reader reads it: its record's keys, their types.
LINE_COLUMNS = {
    "line": Integer(),
    "file_name": String(),
    "upc_text": String(),
    "upc": String(),
    "section": String(),
    "quantity": Numeric(12, 3),
    "unit": String(),
    "quantity_units": Numeric(12, 3),
    "status": String(),
    "message": String(),
}
_ARRAY_TYPES = {"line": "integer", "quantity": "numeric", "quantity_units": "numeric"}
_values_of = itemgetter(*LINE_COLUMNS)


def _source(dialect: str) -> Any:
    """The lines as a table ``s``: one line's parameters (SQLite: the statement's only
    ones, the rest is written into it) or a chunk's arrays (PostgreSQL)."""
    if dialect == "sqlite":
        fields = ", ".join(
            f"CAST(? AS NUMERIC) AS {name}" if isinstance(kind, Numeric) else f"? AS {name}"
            for name, kind in LINE_COLUMNS.items()
        )
        source = text(f"SELECT {fields}")
    else:
        arrays = ", ".join(
            f"CAST(:{name} AS {_ARRAY_TYPES.get(name, 'varchar')}[])" for name in LINE_COLUMNS
        )
        names = ", ".join(LINE_COLUMNS)
        # Only this module's column names are formatted in: no input reaches the SQL.
        source = text(
            f"SELECT * FROM unnest({arrays}) WITH ORDINALITY AS s({names}, seq)"  # noqa: S608
        ).bindparams(*(bindparam(name, None) for name in LINE_COLUMNS))
    columns = [column(name, kind) for name, kind in LINE_COLUMNS.items()]
    return source.columns(*columns, *([column("seq")] if dialect != "sqlite" else [])).subquery("s")


def _says(s: Any, words: str) -> Any:
    return literal("UPC ", String) + s.c.upc_text + literal(" " + words, String)


def _statement(batch: Batch, dialect: str) -> Any:
    s = _source(dialect)
    product = and_(
        s.c.status.is_(None), Product.data_set_id == batch.data_set_id, Product.upc == s.c.upc
    )
    case_size = (
        select(ProductCost.case_size)
        .where(ProductCost.product_id == Product.id, ProductCost.preferred)
        .limit(1)
        .scalar_subquery()
    )
    cases = s.c.unit == "cases"
    units = case((cases, s.c.quantity * case_size), else_=s.c.quantity)
    by_weight = func.lower(func.trim(Product.size)).in_(WEIGHT_SIZES)
    problem = case(
        (Product.id.is_(None), _says(s, "is not in the catalog")),
        (
            and_(cases, case_size.is_(None)),
            _says(s, "is counted in cases, but it has no preferred vendor's case size"),
        ),
        (
            and_(cases, units > MAX_UNITS),
            _says(s, f"counted in cases comes to more than {MAX_UNITS:,} units"),
        ),
        (
            and_(units != func.round(units), ~by_weight),
            _says(
                s,
                "is sold by the unit, so it is counted in whole units (a fraction is counted "
                "only for a product whose size says lb or kg)",
            ),
        ),
        else_=null(),
    )
    ok = and_(s.c.status.is_(None), problem.is_(None))
    on_hand, cost, price = Product.on_hand, Product.preferred_unit_cost, Product.regular_price
    adjust = batch.parameters.get("mode") == "adjust"
    values = variances(adjust, units, on_hand, cost, price)
    checks = flag_checks(batch.parameters, values, Product.department_id)
    notes = [
        case((condition, literal("; " + note, String)), else_="") for condition, note in checks
    ]
    flags = func.substr(_joined(notes), 3) if notes else literal("", String)
    flagged = case((or_(*(c for c, _ in checks)), true()), else_=false()) if checks else false()
    columns = {
        "data_set_id": literal(batch.data_set_id, Integer),
        "batch_id": literal(batch.id, Integer),
        **{name: s.c[name] for name in ("line", "file_name", "upc_text", "upc", "section")},
        "quantity": s.c.quantity,
        "unit": s.c.unit,
        "quantity_units": case((ok, units), else_=s.c.quantity_units),
        "product_id": Product.id,
        "department_id": Product.department_id,
        "on_hand_before": on_hand,
        "unit_cost": cost,
        "unit_price": price,
        "counted_units": case((ok, units), else_=None),
        **{name: case((ok, value), else_=None) for name, value in values.items()},
        "status": case(
            (s.c.status.is_not(None), s.c.status),
            (problem.is_not(None), "error"),
            else_=status_of(values["variance_units"]),
        ),
        "flagged": case((ok, flagged), else_=false()),
        "message": case(
            (s.c.status.is_not(None), s.c.message),
            (problem.is_not(None), problem),
            else_=flags,
        ),
    }
    rows = select(*columns.values()).select_from(s.outerjoin(Product, product))
    if dialect != "sqlite":
        rows = rows.order_by(s.c.seq)
    return insert(R).from_select(list(columns), rows)


def _joined(parts: list[Any]) -> Any:
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + part
    return joined


@contextmanager
def loading(connection: Connection, batch: Batch) -> Iterator[Loader]:
    """A ``Loader`` for the batch. On PostgreSQL, without JIT compilation while it
    loads: the statement's many expressions took 2.6 s to compile on every chunk of
    5,000 lines (EXPLAIN ANALYZE), a hundred times what running it takes."""
    if connection.dialect.name != "postgresql":
        yield Loader(connection, batch)
        return
    before = connection.exec_driver_sql("SELECT current_setting('jit')").scalar()
    connection.exec_driver_sql("SET LOCAL jit = off")
    try:
        yield Loader(connection, batch)
    finally:
        connection.exec_driver_sql(f"SET LOCAL jit = {'on' if before == 'on' else 'off'}")


class Loader:
    """Inserts chunks of line records (``reader.read_line``'s) into a batch's rows."""

    def __init__(self, connection: Connection, batch: Batch) -> None:
        self.connection = connection
        dialect = connection.dialect
        sqlite = dialect.name == "sqlite"
        compiled = _statement(batch, dialect.name).compile(
            dialect=dialect,
            compile_kwargs={"literal_binds": True} if sqlite else {"render_postcompile": True},
        )
        self.sql = compiled.string
        self.constants = {} if sqlite else compiled.construct_params()

    def insert(self, records: Sequence[dict[str, Any]]) -> None:
        if not records:
            return
        if self.connection.dialect.name == "sqlite":
            self.connection.exec_driver_sql(self.sql, list(map(_values_of, records)))
            return
        values = list(zip(*map(_values_of, records), strict=True))
        arrays = {name: list(values[i]) for i, name in enumerate(LINE_COLUMNS)}
        self.connection.exec_driver_sql(self.sql, {**self.constants, **arrays})
