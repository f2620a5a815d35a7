"""A throwaway PostgreSQL database for the suite (and for a migration test's own)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import URL, create_engine


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
