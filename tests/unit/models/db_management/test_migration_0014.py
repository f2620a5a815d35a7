"""Migration 0014 adds the users' credentials version in place and beaker's session
table, and takes them away again without touching anything that refers to a user."""

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
    "INSERT INTO user_account (id, username, password_hash, role, active, created_at)"
    " VALUES (1, 'olga', 'x', 'operator', TRUE, CURRENT_TIMESTAMP)",
    "INSERT INTO data_set (id, name, description, created_at, application)"
    " VALUES (1, 'Store', '', CURRENT_TIMESTAMP, 'products')",
    "INSERT INTO data_set_member (data_set_id, user_id, role) VALUES (1, 1, 'owner')",
]


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite'}"
        return
    with postgres_database(url.set(database="postgres"), f"{url.database}_0014") as named:
        yield named


def test_0014_goes_back_keeping_the_users_memberships(scratch_url: str) -> None:
    config = alembic_config({"sqlalchemy.url": scratch_url})
    command.upgrade(config, "0013")
    engine = get_engine({"sqlalchemy.url": scratch_url})
    try:
        with engine.begin() as connection:
            for statement in ROWS:
                connection.exec_driver_sql(statement)
        command.upgrade(config, "0014")
        with engine.connect() as connection:
            version = connection.exec_driver_sql("SELECT credentials_version FROM user_account")
            assert version.scalar() == 1
            assert inspect(connection).has_table("beaker_cache")
        command.downgrade(config, "0013")
        with engine.connect() as connection:
            columns = {column["name"] for column in inspect(connection).get_columns("user_account")}
            assert "credentials_version" not in columns
            assert not inspect(connection).has_table("beaker_cache")
            members = connection.exec_driver_sql("SELECT count(*) FROM data_set_member")
            assert members.scalar() == 1
    finally:
        engine.dispose()
