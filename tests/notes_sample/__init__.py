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
from sqlalchemy import create_engine, text

from tests.migration_support import check_models, script_config, upgrade
from tests.notes_sample.tables import NotesBase

VERSION_TABLE = "notes_sample_version"


@contextmanager
def migrated(url: str) -> Iterator[None]:
    """The suite's database at ``url`` with the Notes tables, dropped afterwards."""
    folder = Path(__file__).parent
    upgrade(folder, url)
    try:
        check_models(url, NotesBase.metadata, "the Notes tables")
        yield
    finally:
        command.downgrade(script_config(folder, url), "base")
        _drop_version_table(url)


def _drop_version_table(url: str) -> None:
    """Alembic keeps its version table at base; the suite's database keeps no trace."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(f"DROP TABLE IF EXISTS {VERSION_TABLE}"))
    finally:
        engine.dispose()
