"""Migration 0026: a step is named with its Application. A data set's Apply mark goes
to the Application of each kind of batch it applied, and a scheduled batch's step to
its own type's; other steps' marks stay. Going back gives one "apply" again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection

from tests.database_support import DATA_SET_ROW, migrated_to

BATCH = (
    "INSERT INTO batch (id, data_set_id, batch_type, status, description, parameters,"
    " row_count, status_counts, created_at, version, scheduled_step)"
    " VALUES ({}, {}, '{}', '{}', '', '{{}}', 0, '{{}}', CURRENT_TIMESTAMP, 1, {})"
)
ROWS = [
    DATA_SET_ROW,
    "INSERT INTO data_set (id, name, description, created_at, application)"
    " VALUES (2, 'Both', '', CURRENT_TIMESTAMP, 'products')",
    "INSERT INTO data_set (id, name, description, created_at, application)"
    " VALUES (3, 'Neither', '', CURRENT_TIMESTAMP, 'products')",
    # Store applied a catalog and has a count scheduled; Both applied one of each.
    BATCH.format(1, 1, "catalog", "executed", "NULL"),
    BATCH.format(2, 1, "inventory", "populated", "'apply'"),
    BATCH.format(3, 2, "catalog", "executed", "NULL"),
    BATCH.format(4, 2, "inventory", "executed", "NULL"),
    "INSERT INTO step_run (data_set_id, step, completed_at) VALUES"
    " (1, 'apply', '2026-12-01 10:00:00'), (2, 'apply', '2026-12-02 10:00:00'),"
    " (3, 'apply', '2026-12-03 10:00:00'), (1, 'margins', '2026-12-04 10:00:00')",
]


def step_runs(connection: Connection) -> set[tuple[int, str]]:
    return set(connection.exec_driver_sql("SELECT data_set_id, step FROM step_run").all())


def scheduled_steps(connection: Connection) -> dict[int, str | None]:
    return dict(connection.exec_driver_sql("SELECT id, scheduled_step FROM batch").all())


def test_0026_names_each_step_with_its_application(scratch_url: str) -> None:
    with migrated_to(scratch_url, "0025", ROWS) as (config, engine):
        command.upgrade(config, "0026")
        with engine.connect() as connection:
            assert step_runs(connection) == {
                (1, "catalog/apply"),
                (2, "catalog/apply"),
                (2, "inventory/apply"),
                (1, "margins"),
            }
            assert scheduled_steps(connection)[2] == "inventory/apply"
        command.downgrade(config, "0025")
        with engine.connect() as connection:
            assert step_runs(connection) == {(1, "apply"), (2, "apply"), (1, "margins")}
            assert scheduled_steps(connection) == {1: None, 2: "apply", 3: None, 4: None}
