"""Migration 0027: on SQLite, the descriptions' words table and vocabulary, filled from
the products there are and kept by triggers after; going back drops them. PostgreSQL
has neither."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection, inspect

from tests.database_support import DATA_SET_ROW, migrated_to

PRODUCT = (
    "INSERT INTO product (id, data_set_id, upc, description, brand, size, on_hand, active)"
    " VALUES ({0}, {2}, '{0:014d}', '{1}', '', '', 0, TRUE)"
)
ROWS = [DATA_SET_ROW, PRODUCT.format(1, "Organic  Milk", 1), PRODUCT.format(2, "Oat Milk", 1)]


def words(connection: Connection) -> set[tuple[int, str, str, int]]:
    found = connection.exec_driver_sql("SELECT * FROM product_word")
    return {tuple(row) for row in found}  # type: ignore[misc]


def test_0027_fills_the_words_of_every_product_and_keeps_them(scratch_url: str) -> None:
    with migrated_to(scratch_url, "0026", ROWS) as (config, engine):
        command.upgrade(config, "0027")
        tables = set(inspect(engine).get_table_names())
        if engine.dialect.name != "sqlite":
            assert not {"product_word", "product_vocabulary"} & tables
            command.downgrade(config, "0026")
            return
        with engine.begin() as connection:
            assert words(connection) == {
                (1, "organic", "Organic  Milk", 1),
                (1, "milk", "Organic  Milk", 1),
                (1, "oat", "Oat Milk", 2),
                (1, "milk", "Oat Milk", 2),
            }
            vocabulary = connection.exec_driver_sql("SELECT word FROM product_vocabulary")
            assert set(vocabulary.scalars()) == {"organic", "milk", "oat"}
            connection.exec_driver_sql(PRODUCT.format(3, "Rye Bread", 1))
            connection.exec_driver_sql("UPDATE product SET description = 'Skim' WHERE id = 1")
            connection.exec_driver_sql("DELETE FROM product WHERE id = 2")
            assert words(connection) == {
                (1, "skim", "Skim", 1),
                (1, "rye", "Rye Bread", 3),
                (1, "bread", "Rye Bread", 3),
            }
            # A data set's words go with it (by a trigger of its own, in one statement).
            connection.exec_driver_sql(
                "INSERT INTO data_set (id, name, description, created_at, application)"
                " VALUES (2, 'Other', '', CURRENT_TIMESTAMP, 'products')"
            )
            connection.exec_driver_sql(PRODUCT.format(5, "Other Milk", 2))
            connection.exec_driver_sql("DELETE FROM data_set WHERE id = 1")
            assert words(connection) == {
                (2, "other", "Other Milk", 5),
                (2, "milk", "Other Milk", 5),
            }
            triggers = "SELECT name FROM sqlite_master WHERE name LIKE 'product_word%'"
            assert "product_word_data_set_delete" in set(
                connection.exec_driver_sql(triggers).scalars()
            )
        command.downgrade(config, "0026")
        tables = set(inspect(engine).get_table_names())
        assert not {"product_word", "product_vocabulary"} & tables
        with engine.begin() as connection:  # no trigger left to write to them
            connection.exec_driver_sql(PRODUCT.format(4, "Plain", 2))
            connection.exec_driver_sql("UPDATE product SET description = 'Skim Milk'")
            connection.exec_driver_sql("DELETE FROM product")
