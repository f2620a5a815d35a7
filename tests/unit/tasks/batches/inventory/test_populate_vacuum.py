"""A count's rows are vacuumed once its reading commits (PostgreSQL): the review's
exact counts then read the rows' index alone."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from tests.catalog_support import UPC_BUTTER, UPC_SOAP
from tests.inventory_support import count


def vacuums(engine: Engine) -> int:
    with engine.connect() as connection:  # a new transaction: the statistics as they are now
        return connection.scalar(
            text("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = :name"),
            {"name": "inventory_batch_row"},
        )


def all_visible(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        pages, visible = connection.execute(
            text("SELECT relpages, relallvisible FROM pg_class WHERE relname = :name"),
            {"name": "inventory_batch_row"},
        ).one()
    return pages, visible


@pytest.fixture
def postgresql(dbsession: Session) -> Engine:
    engine = dbsession.get_bind()
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's visibility map: SQLite counts from its index as it is")
    return engine


def test_the_rows_are_vacuumed_once_the_reading_commits(
    postgresql: Engine, dbsession: Session, files, store
) -> None:
    before = vacuums(postgresql)
    count(store, files, f"{UPC_BUTTER},7\n{UPC_SOAP},4\n")
    assert vacuums(postgresql) == before  # nothing yet: VACUUM runs after the commit
    dbsession.commit()
    assert vacuums(postgresql) == before + 1
    pages, visible = all_visible(postgresql)
    assert pages > 0
    assert visible == pages


def test_a_reading_rolled_back_is_not_vacuumed(
    postgresql: Engine, dbsession: Session, files, store
) -> None:
    before = vacuums(postgresql)
    count(store, files, f"{UPC_BUTTER},7\n")
    dbsession.rollback()
    dbsession.commit()
    assert vacuums(postgresql) == before
