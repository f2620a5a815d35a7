"""A count's lines inserted as rows already matched and compared, by the database.

The reader's chunks go into a temporary table of lines (SQLite: one prepared INSERT
taken per line; PostgreSQL: COPY); when the last is in, one statement joins every
line with its product (through the data set's (data set, UPC) unique index), says what
the catalog cannot bear out (``match``'s rules and words), and works out the variance,
the status and the recount flags of a product counted on one line (``compare``'s
expressions): every row is written once, nothing is read back into Python, and memory
holds one chunk (the lines wait in the database). A product counted on several lines
is put right afterwards by ``compare.after_load``, which adds its lines up.

One statement over a table of lines rather than one per line or per chunk: at 200,000
lines over 200,000 products (bench/bench_inventory.py), SQLite's statement taken once
per line spends 5.0 s opening its cursors and working out each line, against 0.4 s
for the lines and 2.3 s for the statement; PostgreSQL's statement taken per chunk of
5,000 lines passed as arrays spends 9.4 to 11.8 s, against about 6 s for COPY and the
statement, half of which are the row's three foreign-key checks (3.1 s) and most of
the rest the three indexes of the rows. A line's product, units and problem are worked
out once, in a subquery the planners keep apart (OFFSET 0): flattened into the columns
that read them, each column repeats the problem's checks. Rows are inserted in the
order of the lines (``seq``), which a merge's "first line" reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    and_,
    case,
    false,
    func,
    insert,
    literal,
    null,
    or_,
    select,
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
    "message": Text(),
}
_values_of = itemgetter(*LINE_COLUMNS)
#: The lines waiting for the statement, in the order read (``seq``). A table of the
#: connection's own: temporary, and on PostgreSQL dropped at the end of the transaction.
LINES = Table(
    "inventory_count_line",
    MetaData(),
    Column("seq", Integer, primary_key=True),
    *(Column(name, kind) for name, kind in LINE_COLUMNS.items()),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


def _says(s: Any, words: str) -> Any:
    return literal("UPC ", String) + s.c.upc_text + literal(" " + words, String)


def _matched(batch: Batch) -> Any:
    """Each line with its product, its count in units and what the catalog cannot bear
    out (None: nothing), worked out once per line (OFFSET 0 keeps the planners from
    flattening it into the columns that read it)."""
    s = LINES
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
    return (
        select(
            *s.c,
            Product.id.label("product_id"),
            Product.department_id,
            Product.on_hand,
            Product.preferred_unit_cost,
            Product.regular_price,
            units.label("units"),
            problem.label("problem"),
        )
        .select_from(s.outerjoin(Product, product))
        .order_by(s.c.seq)
        .offset(0)
        .subquery("m")
    )


def _statement(batch: Batch, dialect: str) -> Any:
    m = _matched(batch)
    ok = and_(m.c.status.is_(None), m.c.problem.is_(None))
    units, on_hand = m.c.units, m.c.on_hand
    cost, price = m.c.preferred_unit_cost, m.c.regular_price
    adjust = batch.parameters.get("mode") == "adjust"
    values = variances(adjust, units, on_hand, cost, price)
    checks = flag_checks(batch.parameters, values, m.c.department_id)
    notes = [
        case((condition, literal("; " + note, String)), else_="") for condition, note in checks
    ]
    flags = func.substr(_joined(notes), 3) if notes else literal("", String)
    flagged = case((or_(*(c for c, _ in checks)), true()), else_=false()) if checks else false()
    columns = {
        "data_set_id": literal(batch.data_set_id, Integer),
        "batch_id": literal(batch.id, Integer),
        **{name: m.c[name] for name in ("line", "file_name", "upc_text", "upc", "section")},
        "quantity": m.c.quantity,
        "unit": m.c.unit,
        "quantity_units": case((ok, units), else_=m.c.quantity_units),
        "product_id": m.c.product_id,
        "department_id": m.c.department_id,
        "on_hand_before": on_hand,
        "unit_cost": cost,
        "unit_price": price,
        "counted_units": case((ok, units), else_=None),
        **{name: case((ok, value), else_=None) for name, value in values.items()},
        "status": case(
            (m.c.status.is_not(None), m.c.status),
            (m.c.problem.is_not(None), "error"),
            else_=status_of(values["variance_units"]),
        ),
        "flagged": case((ok, flagged), else_=false()),
        "message": case(
            (m.c.status.is_not(None), m.c.message),
            (m.c.problem.is_not(None), m.c.problem),
            else_=flags,
        ),
    }
    rows = select(*columns.values())
    if dialect != "sqlite":  # SQLite keeps the subquery's order: its scan of the lines
        rows = rows.order_by(m.c.seq)
    return insert(R).from_select(list(columns), rows)


def _joined(parts: list[Any]) -> Any:
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + part
    return joined


@contextmanager
def loading(connection: Connection, batch: Batch) -> Iterator[Loader]:
    """A ``Loader`` for the batch, its rows inserted when the block ends without an
    error. On PostgreSQL, without JIT compilation while it loads: the statement's many
    expressions take seconds to compile (2.6 s, EXPLAIN ANALYZE), far more than running
    it takes."""
    if connection.dialect.name != "postgresql":
        yield from _loader(connection, batch)
        return
    before = connection.exec_driver_sql("SELECT current_setting('jit')").scalar()
    connection.exec_driver_sql("SET LOCAL jit = off")
    try:
        yield from _loader(connection, batch)
    finally:
        connection.exec_driver_sql(f"SET LOCAL jit = {'on' if before == 'on' else 'off'}")


def _loader(connection: Connection, batch: Batch) -> Iterator[Loader]:
    LINES.drop(connection, checkfirst=True)  # left by a reading that failed
    LINES.create(connection)
    loader = Loader(connection, batch)
    yield loader
    loader.finish()


class Loader:
    """Takes chunks of line records (``reader.read_line``'s), then inserts the batch's
    rows (``finish``)."""

    def __init__(self, connection: Connection, batch: Batch) -> None:
        self.connection = connection
        self.batch = batch
        self.sqlite = connection.dialect.name == "sqlite"
        if self.sqlite:
            keys = list(LINE_COLUMNS)
            self.sql = insert(LINES).compile(dialect=connection.dialect, column_keys=keys).string

    def insert(self, records: Sequence[dict[str, Any]]) -> None:
        if not records:
            return
        if self.sqlite:
            self.connection.exec_driver_sql(self.sql, list(map(_values_of, records)))
            return
        from psycopg import sql

        copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(LINES.name), sql.SQL(", ").join(map(sql.Identifier, LINE_COLUMNS))
        )
        # The same DBAPI connection: the lines join the caller's transaction.
        driver: Any = self.connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(copy) as lines:
            for values in map(_values_of, records):
                lines.write_row(values)

    def finish(self) -> None:
        """The rows of every line taken, in the order taken; the lines dropped."""
        self.connection.execute(_statement(self.batch, self.connection.dialect.name))
        LINES.drop(self.connection)
