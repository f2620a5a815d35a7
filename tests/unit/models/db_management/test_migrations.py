"""The migrations build the schema the models declare: a column, index or constraint
added to one and not the other fails here, not on a deployed database. (``make test``
also runs ``poser db check``, on SQLite; this runs on the suite's database.)"""

from __future__ import annotations

from decimal import Decimal

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from poser.models.db_management import include_name
from poser.models.orm import Base
from tests.database_support import DATA_SET_ROW, column_names, migrated_to


def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


ROWS_0006 = [
    DATA_SET_ROW,
    "INSERT INTO vendor (id, data_set_id, code, name) VALUES (1, 1, 'A', 'A'), (2, 1, 'B', 'B')",
    "INSERT INTO product (id, data_set_id, upc, description, brand, size, on_hand,"
    " active, regular_price) VALUES (1, 1, '1', 'Costed', '', '', 0, TRUE, 4),"
    " (2, 1, '2', 'Uncosted', '', '', 0, TRUE, 4)",
    "INSERT INTO product_cost (data_set_id, product_id, vendor_id,"
    " vendor_item_code, case_size, case_cost, unit_cost, preferred)"
    " VALUES (1, 1, 1, '', 1, 2, 2, FALSE), (1, 1, 2, '', 1, 3, 3, TRUE),"
    " (1, 2, 1, '', 1, 4, 4, FALSE)",
]


def test_0007_to_0011_fill_what_they_add_and_go_back(scratch_url: str) -> None:
    with migrated_to(scratch_url, "0006", ROWS_0006) as (config, engine):
        command.upgrade(config, "head")
        held = (
            "SELECT id, preferred_vendor_id, preferred_unit_cost, margin_percent"
            " FROM product ORDER BY id"
        )
        with engine.connect() as connection:
            assert [
                (id_, vendor, cost, None if margin is None else Decimal(str(margin)))
                for id_, vendor, cost, margin in connection.exec_driver_sql(held)
            ] == [(1, 2, Decimal("3"), Decimal("25")), (2, None, None, None)]
            # 0009's description search holds the products there before it.
            if connection.dialect.name == "sqlite":
                search = "SELECT rowid FROM product_search WHERE product_search MATCH 'uncost'"
            else:
                search = (
                    "SELECT 2 FROM pg_indexes WHERE indexname = 'ix_product_description_search'"
                )
            assert [tuple(row) for row in connection.exec_driver_sql(search)] == [(2,)]
        command.downgrade(config, "0006")
        columns = column_names(engine, "product")
        assert not {"preferred_vendor_id", "preferred_unit_cost", "margin_percent"} & columns
        indexes = {index["name"] for index in inspect(engine).get_indexes("product")}
        assert not {"ix_product_department_brand", "ix_product_vendor_margin"} & indexes
        with engine.begin() as connection:  # no trigger is left to write the dropped columns
            connection.exec_driver_sql("UPDATE product_cost SET unit_cost = 5")
        command.upgrade(config, "head")
