"""Writing many rows quickly inside the caller's transaction.

For rows whose values are already what the database driver takes (int, float, str,
bool, None: no Decimal, no datetime), as generated data is. Measured while generating
a million products (2.75 million rows, bench/bench_generate.py):

- SQLAlchemy's per-row parameter processing in ``connection.execute(insert(t), rows)``
  costs about 5 µs a row, some 13 s of the run; here the Core ``insert()`` is compiled
  once per batch and the rows go straight to the driver's ``executemany``.
- On PostgreSQL ``executemany`` still runs one INSERT per row; COPY is 2.5 times as
  fast (100,000 products: 4.3 s against 10.9 s), so PostgreSQL gets COPY.
- SQLite's default 2 MB page cache re-reads index pages on nearly every insert once
  the indexes outgrow it; with 64 MB for the length of the load, the run takes about
  30 s instead of 40. The product table has sixteen indexes (migration 0011, about
  900 MB over a million products), so a load of products gets more: it takes 163 s
  with 64 MB, 135 s with 256 MB, 121 s with 512 MB. 256 MB (``PRODUCT_LOAD_CACHE_KIB``):
  SQLite is the small deployment's database, and a worker should not need half a
  gigabyte for one load. Other loads (a catalog batch's rows, into a table with few
  indexes) keep 64 MB, and their memory stays flat.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, event, insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

#: SQLite's page cache during a bulk load, in KiB (negative: PRAGMA cache_size's unit).
SQLITE_BULK_CACHE_KIB = 64 * 1024
#: The same for a load of products, whose many indexes each take random inserts.
PRODUCT_LOAD_CACHE_KIB = 256 * 1024


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``."""
    if not rows:
        return
    keys = list(rows[0])
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        _copy(connection, table, keys, rows)
        return
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=keys)
    if compiled.positional:
        order = itemgetter(*(compiled.positiontup or ()))
        connection.exec_driver_sql(compiled.string, [order(row) for row in rows])
    else:
        connection.exec_driver_sql(compiled.string, list(rows))


def _copy(
    connection: Connection, table: Table, keys: list[str], rows: Sequence[dict[str, Any]]
) -> None:
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, keys))
    )
    # The same DBAPI connection, so the rows join the caller's transaction.
    driver_connection: Any = connection.connection.driver_connection
    order = itemgetter(*keys)
    with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(order(row))


@contextmanager
def bulk_load(connection: Connection, cache_kib: int = SQLITE_BULK_CACHE_KIB) -> Iterator[None]:
    """A larger SQLite page cache while loading, restored afterwards (the connection
    goes back to the pool). Other databases are left as they are."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = {-int(cache_kib)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")


#: Rows SQLite's ANALYZE samples per index: enough for the planner, milliseconds to run.
SQLITE_ANALYSIS_LIMIT = 1000


def refresh_statistics(connection: Connection, table: Table) -> None:
    """New planner statistics for a table that just grew by a big load.

    Without them a planner can misjudge a fresh million rows: SQLite, which has none
    until ANALYZE, reads a whole batch through its batch_id index to find 50 rows by
    primary key (120 ms instead of 5). Both databases sample, so this stays quick.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
    connection.exec_driver_sql(f'ANALYZE "{table.name}"')


_VACUUM_KEY = "poser.bulk.vacuum_after_commit"


def vacuum_after_commit(session: Session, table: Table) -> None:
    """On PostgreSQL, VACUUM ``table`` once ``session``'s transaction has committed; a
    rollback forgets it. SQLite has nothing to do.

    Rows just loaded are in pages the visibility map does not yet call all-visible, so
    PostgreSQL counts them by reading the table, not the index that covers the count:
    a review grid's exact count of 136,000 rows of a fresh count takes 60 ms, and 18
    after the VACUUM (200,000 rows: 50 ms of VACUUM). Autovacuum comes later or, for a
    table that only took inserts, not at all. VACUUM cannot run in a transaction, so it
    runs on a connection of its own in autocommit. Its statistics are the load's own
    ``refresh_statistics``: VACUUM (ANALYZE) would take ten times as long.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    pending = session.info.get(_VACUUM_KEY)
    if pending is None:
        pending = session.info[_VACUUM_KEY] = {}
        event.listen(session, "after_commit", _vacuum_pending)
        event.listen(session, "after_rollback", lambda s: s.info.get(_VACUUM_KEY, {}).clear())
    pending[table.name] = None


def _vacuum_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: nothing is committed yet
    pending = session.info.get(_VACUUM_KEY, {})
    names = list(pending)
    pending.clear()
    if not names:
        return
    try:
        engine = session.get_bind()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for name in names:
                connection.exec_driver_sql(f'VACUUM "{name}"')
    except SQLAlchemyError:
        # The rows are committed: a VACUUM that could not run leaves them to
        # autovacuum, and must not read as the load's failure.
        log.exception("could not vacuum %s after a load", ", ".join(names))
