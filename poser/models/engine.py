"""Engines and sessions for every process: web, CLI, worker and alembic."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import zope.sqlalchemy
from sqlalchemy import Engine, engine_from_config, event
from sqlalchemy.orm import Session, sessionmaker

# How long a transaction waits for SQLite's write lock before it gives up: a web write
# waits its turn behind a job's apply (seconds, for a big catalog), a job behind web
# writes (each a few milliseconds). Past it, a web write is answered "busy" (a 503).
DEFAULT_BUSY_TIMEOUT_MS = 30_000
# SQLite reads the database file through a memory map of up to this many MiB, rather
# than copying each page it reads into the connection's own small cache (2 MiB). A grid
# that walks a million products in price order checking their descriptions reads pages
# all over the file: 20 ms a page without the map, 12 with it. The map is the operating
# system's page cache, shared by every connection, not memory of the process's own.
DEFAULT_MMAP_SIZE_MIB = 1024

# SQLite has one writer at a time. A transaction that began deferred and has read gets
# SQLITE_BUSY at once, without waiting, when it first writes while another connection
# holds the write lock, or (WAL) has committed since its first read: its snapshot is
# stale, and only starting again can help. BEGIN IMMEDIATE takes the lock before
# anything is read, waiting for it up to busy_timeout, so the transaction never meets
# either. A transaction that will write asks for that with this execution option (on
# a connection, or an engine: `write_lock_engine`); other databases ignore it.
SQLITE_BEGIN_OPTION = "poser_sqlite_begin"
IMMEDIATE = {SQLITE_BEGIN_OPTION: "IMMEDIATE"}


def get_engine(settings: Mapping[str, Any], prefix: str = "sqlalchemy.") -> Engine:
    engine = engine_from_config(dict(settings), prefix)
    if engine.dialect.name == "sqlite":
        busy = int(settings.get("poser.sqlite.busy_timeout_ms", DEFAULT_BUSY_TIMEOUT_MS))
        mmap_mib = int(settings.get("poser.sqlite.mmap_size_mib", DEFAULT_MMAP_SIZE_MIB))
        _configure_sqlite(engine, busy, mmap_mib)
    return engine


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, mmap_size_mib: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so
        # SAVEPOINTs and transactional DDL behave (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute(f"PRAGMA mmap_size = {max(0, int(mmap_size_mib)) * 1024 * 1024}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")


def get_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def write_transaction(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction that takes the write lock at BEGIN on SQLite; commits on success."""
    with session_factory.begin() as session:
        session.connection(execution_options=IMMEDIATE)
        yield session


def is_sqlite_busy(error: BaseException) -> bool:
    name = getattr(getattr(error, "orig", error), "sqlite_errorname", "")
    return str(name).startswith("SQLITE_BUSY")


def write_lock_engine(engine: Engine) -> Engine:
    """The same engine, same pool, whose transactions take SQLite's write lock at BEGIN."""
    return engine.execution_options(**IMMEDIATE)


def get_tm_session(
    session_factory: sessionmaker[Session], transaction_manager: Any, bind: Engine | None = None
) -> Session:
    """A session joined to a ``transaction`` manager: committed or aborted with it.

    ``bind`` replaces the factory's engine (e.g. by its ``write_lock_engine``)."""
    dbsession = session_factory() if bind is None else session_factory(bind=bind)
    zope.sqlalchemy.register(dbsession, transaction_manager=transaction_manager)
    return dbsession
