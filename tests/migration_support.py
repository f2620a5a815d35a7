"""Sample tables a test package makes with an alembic script directory of its own.

A sample package (`tests.notes_sample`, `tests.grid_sample`) is a script directory:
its ``versions/`` make its tables, its ``env.py`` is `run_migrations` with the
package's own version table, and `upgrade` runs it to head on a database, and `check_models`
checks that the package's models agree with what the migration made.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command, context
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine


def script_config(folder: Path, url: str) -> Config:
    """Alembic's configuration for the script directory ``folder`` on ``url``."""
    config = Config()
    config.set_main_option("script_location", str(folder))
    config.attributes["url"] = url
    return config


def upgrade(folder: Path, url: str) -> None:
    """Migrate ``url`` to the head of the script directory ``folder``."""
    command.upgrade(script_config(folder, url), "head")


def check_models(url: str, metadata: MetaData, what: str) -> None:
    """``metadata``'s tables (``what``) are what the migration made on ``url``, column
    for column."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:

            def ours(name: str | None, kind: str, parents: object) -> bool:
                return kind != "table" or name in metadata.tables

            migration = MigrationContext.configure(connection, opts={"include_name": ours})
            differences = compare_metadata(migration, metadata)
    finally:
        engine.dispose()
    assert differences == [], f"{what} and their migration differ: {differences}"


def run_migrations(version_table: str) -> None:
    """The body of a sample's ``env.py``: run its migrations on the configuration's
    ``url``, recording them in ``version_table``."""
    engine = create_engine(context.config.attributes["url"])
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, version_table=version_table)
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
    finally:
        engine.dispose()
