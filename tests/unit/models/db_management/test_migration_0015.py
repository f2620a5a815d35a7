"""Migration 0015 adds the batch's version and schedule in place, and takes them away
again without touching anything else a batch holds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, make_url

from poser.models.db_management import alembic_config
from poser.models.engine import get_engine
from tests.database_support import postgres_database

ROWS = [
    "INSERT INTO data_set (id, name, description, created_at, application)"
    " VALUES (1, 'Store', '', CURRENT_TIMESTAMP, 'products')",
    "INSERT INTO batch (id, data_set_id, batch_type, status, description, parameters,"
    " row_count, status_counts, created_at)"
    " VALUES (1, 1, 'catalog', 'populated', '', '{}', 1, '{}', CURRENT_TIMESTAMP)",
    "INSERT INTO catalog_batch_row (data_set_id, batch_id, line, upc_text, vendor_item_code,"
    " description, brand, size, department, flagged, message)"
    " VALUES (1, 1, 2, '', '', 'Butter', '', '', '', FALSE, '')",
    "INSERT INTO batch_execution (batch_id, executed_at) VALUES (1, CURRENT_TIMESTAMP)",
]
ADDED = {
    "version",
    "scheduled_for",
    "scheduled_by_id",
    "scheduled_version",
    "scheduled_step",
    "schedule_note",
}


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite'}"
        return
    with postgres_database(url.set(database="postgres"), f"{url.database}_0015") as named:
        yield named


def test_0015_goes_back_keeping_the_batches_rows(scratch_url: str) -> None:
    config = alembic_config({"sqlalchemy.url": scratch_url})
    command.upgrade(config, "0014")
    engine = get_engine({"sqlalchemy.url": scratch_url})
    try:
        with engine.begin() as connection:
            for statement in ROWS:
                connection.exec_driver_sql(statement)
        command.upgrade(config, "0015")
        with engine.connect() as connection:
            columns = {column["name"] for column in inspect(connection).get_columns("batch")}
            assert columns >= ADDED
            assert connection.exec_driver_sql("SELECT version FROM batch").scalar() == 1
        command.downgrade(config, "0014")
        with engine.connect() as connection:
            columns = {column["name"] for column in inspect(connection).get_columns("batch")}
            assert not ADDED & columns
            counts = [
                connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()  # noqa: S608
                for table in ("batch", "catalog_batch_row", "batch_execution")
            ]
        assert counts == [1, 1, 1]
    finally:
        engine.dispose()
