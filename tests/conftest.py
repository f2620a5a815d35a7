"""Fixtures shared by every suite.

The database is built once per run with `alembic upgrade head` (migrations are the
only way the schema is made) and emptied after each test that used it. With
POSER_TEST_DATABASE_URL set (PostgreSQL), a fresh database is created on that server
for the run and dropped at the end.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, make_url
from sqlalchemy.orm import Session, sessionmaker

from poser.models.db_management import alembic_config
from poser.models.engine import get_engine, get_session_factory
from poser.models.orm import Base
from poser.utils.appdir import make_appdir
from poser.utils.settings import prepare_settings
from tests.database_support import postgres_database

TEST_SECRET = "test-secret-" + "x" * 40


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server_url = os.environ.get("POSER_TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'poser.sqlite'}"
        return
    url = make_url(server_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    with postgres_database(url, f"poser_test_{os.getpid()}_{secrets.token_hex(3)}") as named:
        yield named


@pytest.fixture(scope="session")
def appdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("appdir")
    make_appdir(path)
    return path


@pytest.fixture(scope="session")
def base_settings(database_url: str, appdir: Path) -> dict[str, Any]:
    """Raw ini-like settings for the app under test (before prepare_settings)."""
    return {
        "poser.environment": "development",
        "poser.appdir": str(appdir),
        "sqlalchemy.url": database_url,
        "session.secret": TEST_SECRET,
        "session.type": "file",
        "session.key": "poser_session",
        "poser.show_tracebacks": "false",
        "poser.includes": "tests.sample_app tests.sample_workflow",
        "poser.job_modules": "tests.sample_jobs",
        "poser.queue.name": f"poser-test-{os.getpid()}",
    }


@pytest.fixture(scope="session")
def settings(base_settings: dict[str, Any]) -> dict[str, Any]:
    return prepare_settings(base_settings, environ={})


@pytest.fixture(scope="session")
def engine(settings: dict[str, Any]) -> Iterator[Engine]:
    from alembic import command

    command.upgrade(alembic_config(settings), "head")
    engine = get_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions on the test database; every row is deleted after the test."""
    yield get_session_factory(engine)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))


@pytest.fixture
def dbsession(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for arranging and checking data; commit() to make rows visible to the app."""
    session = session_factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No POSER_* variable of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("POSER_") and name != "POSER_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
