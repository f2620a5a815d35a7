"""The sample tables the grid's unit tests read, and the migration that makes them.

The grid engine is tested on a table of its own (every column type a grid filters, a
computed column, two data sets), not on a domain table whose columns and indexes change
with the domain. As every database of the suite, its database is built by migrations
only: this package is an alembic script directory (``versions/``), with a version
table of its own, run on a scratch database of the suite's kind (SQLite, or PostgreSQL
when the suite runs there). The tests' ``Table`` objects describe what the migration
made: `sample_database` checks that the two agree.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import MetaData, make_url

from tests.database_support import postgres_database
from tests.migration_support import check_models, upgrade

VERSION_TABLE = "grid_sample_version"


@contextmanager
def sample_database(suite_url: str, folder: Path, metadata: MetaData) -> Iterator[str]:
    """The URL of a new database of ``suite_url``'s kind (a file in ``folder`` for
    SQLite), migrated to the sample tables' head, and dropped afterwards."""
    url = make_url(suite_url)
    if url.get_backend_name() != "postgresql":
        scratch = f"sqlite:///{folder / f'grid-sample-{secrets.token_hex(3)}.sqlite'}"
        migrate(scratch, metadata)
        yield scratch
        return
    name = f"{url.database}_grid_{secrets.token_hex(3)}"
    with postgres_database(url.set(database="postgres"), name) as scratch:
        migrate(scratch, metadata)
        yield scratch


def migrate(url: str, metadata: MetaData) -> None:
    upgrade(Path(__file__).parent, url)
    check_models(url, metadata, "the sample tables")
