from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import transaction
import zope.sqlalchemy
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from poser.models.engine import (
    DEFAULT_MMAP_SIZE_MIB,
    IMMEDIATE,
    get_engine,
    get_session_factory,
    get_tm_session,
    is_sqlite_busy,
    write_lock_engine,
    write_transaction,
)


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = get_engine(
        {
            "sqlalchemy.url": f"sqlite:///{tmp_path / 'x.sqlite'}",
            "poser.sqlite.busy_timeout_ms": 1234,
        }
    )
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 1234
            mmap_size = connection.execute(text("PRAGMA mmap_size")).scalar()
            assert mmap_size == DEFAULT_MMAP_SIZE_MIB * 1024 * 1024
    finally:
        engine.dispose()


def test_sqlite_memory_map_size_is_a_setting_and_zero_turns_it_off(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    for mib, expected in (("16", 16 * 1024 * 1024), ("0", 0)):
        engine = get_engine({"sqlalchemy.url": url, "poser.sqlite.mmap_size_mib": mib})
        try:
            with engine.connect() as connection:
                assert connection.execute(text("PRAGMA mmap_size")).scalar() == expected
        finally:
            engine.dispose()


def test_sqlite_savepoints_roll_back_only_their_part(tmp_path: Path) -> None:
    engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (n INTEGER)"))
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
            savepoint = connection.begin_nested()
            connection.execute(text("INSERT INTO t VALUES (2)"))
            savepoint.rollback()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT n FROM t")).scalars().all() == [1]
    finally:
        engine.dispose()


def test_the_test_database_is_reachable(engine: Engine) -> None:
    # Runs on PostgreSQL too when POSER_TEST_DATABASE_URL names one.
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    if engine.dialect.name == "postgresql":
        pytest.importorskip("psycopg")
        assert engine.dialect.driver == "psycopg"


def _holder(engine: Engine, started: threading.Event, seconds: float) -> threading.Thread:
    """Another writer: holds SQLite's write lock for a moment, then commits."""

    def hold() -> None:
        with engine.connect() as connection, connection.execution_options(**IMMEDIATE).begin():
            connection.exec_driver_sql("INSERT INTO t VALUES (99)")
            started.set()
            time.sleep(seconds)

    return threading.Thread(target=hold)


def test_a_write_transaction_waits_where_a_read_then_write_is_refused(tmp_path: Path) -> None:
    engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    factory = get_session_factory(engine)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (n INTEGER)"))

        started = threading.Event()
        holder = _holder(engine, started, 0.3)
        with factory() as session:
            session.execute(text("SELECT count(*) FROM t")).scalar()  # read first
            holder.start()
            started.wait(5)
            with pytest.raises(OperationalError) as refused:
                session.execute(text("INSERT INTO t VALUES (1)"))
            assert is_sqlite_busy(refused.value)
        holder.join()

        started = threading.Event()
        holder = _holder(engine, started, 0.3)
        holder.start()
        started.wait(5)
        with write_transaction(factory) as session:  # waits for the lock, then proceeds
            session.execute(text("SELECT count(*) FROM t")).scalar()
            session.execute(text("INSERT INTO t VALUES (2)"))
        holder.join()
        with engine.connect() as connection:
            # Both holders committed; the refused insert (1) never happened.
            assert sorted(connection.execute(text("SELECT n FROM t")).scalars()) == [2, 99, 99]
    finally:
        engine.dispose()


def test_a_request_session_on_the_write_lock_engine_waits_its_turn_at_begin(
    tmp_path: Path,
) -> None:
    engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    factory = get_session_factory(engine)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (n INTEGER)"))
        manager = transaction.TransactionManager(explicit=True)
        manager.begin()
        session = get_tm_session(factory, manager, bind=write_lock_engine(engine))
        started = threading.Event()
        holder = _holder(engine, started, 0.3)
        holder.start()
        started.wait(5)
        # Its first statement waits for the holder's commit, so it reads the row the
        # holder wrote, and its write is not refused.
        assert session.execute(text("SELECT count(*) FROM t")).scalar() == 1
        session.execute(text("INSERT INTO t VALUES (2)"))
        zope.sqlalchemy.mark_changed(session)  # a statement of its own, not the ORM's
        manager.commit()
        holder.join()
        with engine.connect() as connection:
            assert sorted(connection.execute(text("SELECT n FROM t")).scalars()) == [2, 99]
    finally:
        engine.dispose()
