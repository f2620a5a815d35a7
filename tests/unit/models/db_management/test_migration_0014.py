"""Migration 0014 adds the users' credentials version in place and beaker's session
table, and takes them away again without touching anything that refers to a user."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from tests.database_support import DATA_SET_ROW, column_names, migrated_to

ROWS = [
    "INSERT INTO user_account (id, username, password_hash, role, active, created_at)"
    " VALUES (1, 'olga', 'x', 'operator', TRUE, CURRENT_TIMESTAMP)",
    DATA_SET_ROW,
    "INSERT INTO data_set_member (data_set_id, user_id, role) VALUES (1, 1, 'owner')",
]


def test_0014_goes_back_keeping_the_users_memberships(scratch_url: str) -> None:
    with migrated_to(scratch_url, "0013", ROWS) as (config, engine):
        command.upgrade(config, "0014")
        with engine.connect() as connection:
            version = connection.exec_driver_sql("SELECT credentials_version FROM user_account")
            assert version.scalar() == 1
            assert inspect(connection).has_table("beaker_cache")
        command.downgrade(config, "0013")
        with engine.connect() as connection:
            columns = column_names(connection, "user_account")
            assert "credentials_version" not in columns
            assert not inspect(connection).has_table("beaker_cache")
            members = connection.exec_driver_sql("SELECT count(*) FROM data_set_member")
            assert members.scalar() == 1
