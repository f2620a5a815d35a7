"""Alembic's environment for the Notes tables (see __init__.py)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from tests.notes_sample import VERSION_TABLE

engine = create_engine(context.config.attributes["url"])
try:
    with engine.connect() as connection:
        context.configure(connection=connection, version_table=VERSION_TABLE)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
finally:
    engine.dispose()
