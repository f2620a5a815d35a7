"""A batch type for the tests only, "tally": a file of codes and quantities, reviewed
and applied by the shared batch steps (`poser.apps.gui.batch_steps`) with nothing of
the framework changed. Its handler (`handler`), its row table and the tallies an apply
adds to (`tables`, made by this package's own migration, as tests/notes_sample's are)
and its Application (`app`) are all it takes.

`migrated` makes its tables on the suite's database and drops them afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from tests.batch_sample.tables import TallyBase
from tests.migration_support import check_models, script_config, upgrade

VERSION_TABLE = "batch_sample_version"


@contextmanager
def migrated(url: str) -> Iterator[None]:
    """The suite's database at ``url`` with the Tally tables, dropped afterwards."""
    folder = Path(__file__).parent
    upgrade(folder, url)
    try:
        check_models(url, TallyBase.metadata, "the Tally tables")
        yield
    finally:
        command.downgrade(script_config(folder, url), "base")
        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(text(f"DROP TABLE IF EXISTS {VERSION_TABLE}"))
        finally:
            engine.dispose()
