"""Migration 0015 adds the batch's version and schedule in place, and takes them away
again without touching anything else a batch holds."""

from __future__ import annotations

from alembic import command

from tests.database_support import DATA_SET_ROW, column_names, migrated_to

ROWS = [
    DATA_SET_ROW,
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


def test_0015_goes_back_keeping_the_batches_rows(scratch_url: str) -> None:
    with migrated_to(scratch_url, "0014", ROWS) as (config, engine):
        command.upgrade(config, "0015")
        with engine.connect() as connection:
            columns = column_names(connection, "batch")
            assert columns >= ADDED
            assert connection.exec_driver_sql("SELECT version FROM batch").scalar() == 1
        command.downgrade(config, "0014")
        with engine.connect() as connection:
            columns = column_names(connection, "batch")
            assert not ADDED & columns
            counts = [
                connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()  # noqa: S608
                for table in ("batch", "catalog_batch_row", "batch_execution")
            ]
        assert counts == [1, 1, 1]
