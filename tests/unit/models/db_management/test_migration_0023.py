"""Migration 0023: on PostgreSQL, products written after it keep room on their pages, so
that setting every product's on-hand adds no index entry (a heap-only update); on both
databases, the review grid's index over (batch, variance at cost, id). Going back takes
both away."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect

from tests.database_support import DATA_SET_ROW, migrated_to

#: Enough products to fill pages: at fillfactor 100 an update finds no room on them.
PRODUCTS = (
    "INSERT INTO product (data_set_id, upc, description, brand, size, on_hand, active)"
    " SELECT 1, lpad(n::text, 12, '0'), 'Product ' || n, 'Brand', '1 ea', 5, TRUE"
    " FROM generate_series(1, 3000) AS n"
)
INDEX = "ix_inventory_batch_row_variance"


def index_names(connection, table: str) -> set[str]:
    return {index["name"] for index in inspect(connection).get_indexes(table)}


def heap_only_share(connection) -> tuple[int, int]:
    """(updates, heap-only updates) of product by setting every on-hand, in one
    transaction, as a count's apply does."""
    with connection.begin():
        connection.exec_driver_sql("UPDATE product SET on_hand = on_hand + 1")
        return connection.exec_driver_sql(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables"
            " WHERE relname = 'product'"
        ).one()


def test_0023_adds_the_variance_index_and_takes_it_away(scratch_url: str) -> None:
    with migrated_to(scratch_url, "0022", [DATA_SET_ROW]) as (config, engine):
        command.upgrade(config, "0023")
        with engine.connect() as connection:
            assert INDEX in index_names(connection, "inventory_batch_row")
        command.downgrade(config, "0022")
        with engine.connect() as connection:
            assert INDEX not in index_names(connection, "inventory_batch_row")


def test_0023_a_count_that_sets_every_on_hand_adds_no_index_entry(
    scratch_url: str, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no fillfactor: it rewrites a row in its place")
    with migrated_to(scratch_url, "0023", [DATA_SET_ROW, PRODUCTS]) as (config, engine):
        with engine.connect() as connection:
            assert heap_only_share(connection) == (3000, 3000)
        command.downgrade(config, "0022")
        with engine.connect() as connection:
            options = connection.exec_driver_sql(
                "SELECT reloptions FROM pg_class WHERE relname = 'product'"
            ).scalar()
            assert not options
