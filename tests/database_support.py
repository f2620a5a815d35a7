"""A throwaway PostgreSQL database for the suite (and for a migration test's own), and
a migration's module, for tests that hold code to what a migration made."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from sqlalchemy import URL, create_engine

import poser.models.db_management as db_management


@contextmanager
def postgres_database(server: URL, name: str) -> Iterator[str]:
    """The URL of a new database ``name`` on the server that ``server`` connects to,
    dropped afterwards (with whatever connections are still open to it)."""
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def migration_module(revision: str) -> ModuleType:
    """The module of migration ``revision`` ("0009"), loaded by its file's path."""
    versions = Path(db_management.__file__).parent / "versions"
    (path,) = versions.glob(f"{revision}_*.py")
    spec = importlib.util.spec_from_file_location(f"migration_{revision}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
