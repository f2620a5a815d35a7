"""A throwaway PostgreSQL database for the suite (and for a migration test's own), the
steps migration tests share (an empty database of the suite's kind, migrated to a
revision with some rows), and a migration's module, for tests that hold code to what a
migration made."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Connection, Engine, create_engine, inspect, make_url

import poser.models.db_management as db_management
from poser.models.db_management import alembic_config
from poser.models.engine import get_engine


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


#: Data set 1, "Store", as a migration test's rows begin (the table is so from 0006 on).
DATA_SET_ROW = (
    "INSERT INTO data_set (id, name, description, created_at, application)"
    " VALUES (1, 'Store', '', CURRENT_TIMESTAMP, 'products')"
)


@contextmanager
def scratch_database(database_url: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database of the suite's kind (``database_url``'s), for
    migrations to run on from the start: an SQLite file in ``folder``, or a database of
    its own on the suite's PostgreSQL server, dropped afterwards."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{folder / 'scratch.sqlite'}"
        return
    with postgres_database(url.set(database="postgres"), f"{url.database}_scratch") as named:
        yield named


@contextmanager
def migrated_to(
    url: str, revision: str, rows: Sequence[str] = ()
) -> Iterator[tuple[Config, Engine]]:
    """The database at ``url`` upgraded to ``revision``, then ``rows`` run on it (SQL
    statements, in one transaction): its alembic config, to migrate it further, and an
    engine on it, disposed afterwards."""
    config = alembic_config({"sqlalchemy.url": url})
    command.upgrade(config, revision)
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with engine.begin() as connection:
            for statement in rows:
                connection.exec_driver_sql(statement)
        yield config, engine
    finally:
        engine.dispose()


def column_names(connection: Connection | Engine, table: str) -> set[str]:
    """The names of ``table``'s columns, as the database has them."""
    return {column["name"] for column in inspect(connection).get_columns(table)}


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
