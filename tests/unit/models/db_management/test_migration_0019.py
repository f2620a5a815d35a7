"""Migration 0019 adds the upgrade table beside the rest, which keep their rows, and
going back drops it."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from tests.database_support import DATA_SET_ROW, column_names, migrated_to

ROWS = [
    DATA_SET_ROW,
    "INSERT INTO user_account (id, username, password_hash, role, active, created_at)"
    " VALUES (1, 'ada', 'x', 'admin', TRUE, CURRENT_TIMESTAMP)",
    "INSERT INTO data_set_member (data_set_id, user_id, role) VALUES (1, 1, 'owner')",
]


def test_0019_adds_the_upgrade_table_and_keeps_every_row(scratch_url: str) -> None:
    with migrated_to(scratch_url, "0018", ROWS) as (config, engine):
        command.upgrade(config, "0019")
        with engine.begin() as connection:
            assert {"status", "run_by", "migrations", "exit_code"} <= column_names(
                connection, "upgrade"
            )
            assert connection.exec_driver_sql("SELECT count(*) FROM data_set_member").scalar() == 1
            connection.exec_driver_sql(
                "INSERT INTO upgrade (note, status, run_by, host, pid, command, migrations,"
                " started_at) VALUES ('', 'running', 'ada', 'h', 1, 'true', '[]',"
                " CURRENT_TIMESTAMP)"
            )
        command.downgrade(config, "0018")
        with engine.connect() as connection:
            assert "upgrade" not in inspect(connection).get_table_names()
            assert connection.exec_driver_sql("SELECT count(*) FROM data_set_member").scalar() == 1
