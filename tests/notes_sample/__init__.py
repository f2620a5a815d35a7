"""A small Application with tables of its own, for the tests of the data set framework.

"Notes" keeps notebooks and their notes: two tables, a reference between them (a note
names its notebook by code), a key of two columns, and columns of every type whose
cells the framework reads without a parser of the Application's own. Its tables are
made by a migration, as every table of the suite is: this package is an alembic script
directory (``versions/``) with a version table of its own, run on the suite's database
(the tables refer to data_set), and undone afterwards. `migrated` checks that the
models (`tables`) agree with what the migration made.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from tests.notes_sample.tables import NotesBase

VERSION_TABLE = "notes_sample_version"


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.attributes["url"] = url
    return config


@contextmanager
def migrated(url: str) -> Iterator[None]:
    """The suite's database at ``url`` with the Notes tables, dropped afterwards."""
    command.upgrade(_config(url), "head")
    try:
        engine = create_engine(url)
        try:
            with engine.connect() as connection:

                def ours(name: str | None, kind: str, parents: object) -> bool:
                    return kind != "table" or name in NotesBase.metadata.tables

                context = MigrationContext.configure(connection, opts={"include_name": ours})
                differences = compare_metadata(context, NotesBase.metadata)
        finally:
            engine.dispose()
        assert differences == [], f"the Notes tables and their migration differ: {differences}"
        yield
    finally:
        command.downgrade(_config(url), "base")
        _drop_version_table(url)


def _drop_version_table(url: str) -> None:
    """Alembic keeps its version table at base; the suite's database keeps no trace."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(f"DROP TABLE IF EXISTS {VERSION_TABLE}"))
    finally:
        engine.dispose()
