"""The migrations build the schema the models declare: a column, index or constraint
added to one and not the other fails here, not on a deployed database. (``make test``
also runs ``poser db check``, on SQLite; this runs on the suite's database.)"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from poser.models.orm import Base


def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
