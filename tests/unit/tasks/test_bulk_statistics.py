"""A bulk load: a wider SQLite page cache while it lasts, and planner statistics after."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from poser.models.orm import Department
from poser.tasks.bulk import (
    PRODUCT_LOAD_CACHE_KIB,
    SQLITE_BULK_CACHE_KIB,
    bulk_load,
    insert_rows,
    refresh_statistics,
)
from tests.factories import make_data_set


def test_statistics_count_the_rows_just_loaded(dbsession: Session) -> None:
    data_set = make_data_set(dbsession)
    connection = dbsession.connection()
    table = Department.__table__
    rows = [{"data_set_id": data_set.id, "number": n, "name": f"D{n}"} for n in range(500)]
    insert_rows(connection, table, rows)
    refresh_statistics(connection, table)
    if connection.dialect.name == "sqlite":
        stat = (
            connection.exec_driver_sql(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = 'department' AND idx IS NOT NULL"
            )
            .scalars()
            .all()
        )
        assert stat
        assert all(int(entry.split()[0]) >= 500 for entry in stat)
    else:
        tuples = connection.exec_driver_sql(
            "SELECT reltuples FROM pg_class WHERE relname = 'department'"
        ).scalar()
        assert tuples >= 500


def test_a_bulk_load_widens_sqlites_page_cache_for_its_length(dbsession: Session) -> None:
    connection = dbsession.connection()
    if connection.dialect.name != "sqlite":
        pytest.skip("SQLite's page cache only: PostgreSQL's buffers are the server's")
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    with bulk_load(connection):
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -SQLITE_BULK_CACHE_KIB
    with bulk_load(connection, PRODUCT_LOAD_CACHE_KIB):
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -PRODUCT_LOAD_CACHE_KIB
    assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == before
