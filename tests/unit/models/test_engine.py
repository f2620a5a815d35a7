from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from poser.models.engine import get_engine


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
