"""Migration 0025: a product change's one foreign key is its product within its data
set, kept with the changes it had; it refuses a change of another data set than its
product's, and deleting the product deletes its changes. Going back gives the two keys
again."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Connection, inspect
from sqlalchemy.exc import IntegrityError

from tests.database_support import DATA_SET_ROW, migrated_to

ROWS = [
    DATA_SET_ROW,
    "INSERT INTO data_set (id, name, description, created_at, application)"
    " VALUES (2, 'Other', '', CURRENT_TIMESTAMP, 'products')",
    "INSERT INTO product (id, data_set_id, upc, description, brand, size, on_hand, active)"
    " VALUES (1, 1, '00000000000017', 'Butter', '', '', 0, TRUE)",
    "INSERT INTO product_change (data_set_id, product_id, changed_at, field, old_value,"
    " new_value, source) VALUES (1, 1, '2026-12-01 10:00:00', 'on_hand', '0', '7', 'batch')",
]
CHANGE = (
    "INSERT INTO product_change (data_set_id, product_id, changed_at, field, source)"
    " VALUES ({}, 1, '2026-12-02 10:00:00', 'on_hand', 'batch')"
)


def keys(connection: Connection) -> set[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return {
        (key["referred_table"], tuple(key["constrained_columns"]), tuple(key["referred_columns"]))
        for key in inspect(connection).get_foreign_keys("product_change")
        if key["referred_table"] in ("product", "data_set")
    }


def product_indexes(connection: Connection) -> set[str]:
    return {index["name"] for index in inspect(connection).get_indexes("product")}


def test_0025_one_key_to_the_product_within_its_data_set(scratch_url: str) -> None:
    with migrated_to(scratch_url, "0024", ROWS) as (config, engine):
        command.upgrade(config, "0025")
        with engine.connect() as connection:
            assert keys(connection) == {
                ("product", ("data_set_id", "product_id"), ("data_set_id", "id"))
            }
            assert "uq_product_data_set_id" in product_indexes(connection)
            assert "ix_product_data_set_id" not in product_indexes(connection)
            assert connection.exec_driver_sql("SELECT count(*) FROM product_change").scalar() == 1
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.exec_driver_sql(CHANGE.format(2))  # not the product's data set
        with engine.begin() as connection:
            connection.exec_driver_sql(CHANGE.format(1))
            connection.exec_driver_sql("DELETE FROM product WHERE id = 1")
            assert connection.exec_driver_sql("SELECT count(*) FROM product_change").scalar() == 0
        command.downgrade(config, "0024")
        with engine.connect() as connection:
            assert keys(connection) == {
                ("product", ("product_id",), ("id",)),
                ("data_set", ("data_set_id",), ("id",)),
            }
            assert "ix_product_data_set_id" in product_indexes(connection)
            assert "uq_product_data_set_id" not in product_indexes(connection)
