"""Migration 0017 moves cost_history's rows into the product change log, and going
back makes cost_history again from the log's cost changes."""

from __future__ import annotations

from decimal import Decimal

from alembic import command
from sqlalchemy import inspect

from tests.database_support import DATA_SET_ROW, migrated_to

ROWS = [
    DATA_SET_ROW,
    "INSERT INTO vendor (id, data_set_id, code, name) VALUES (1, 1, 'ACME', 'Acme')",
    "INSERT INTO product (id, data_set_id, upc, description, brand, size, on_hand, active)"
    " VALUES (1, 1, '00000000000017', 'Butter', '', '', 0, TRUE)",
    "INSERT INTO product_cost (data_set_id, product_id, vendor_id, vendor_item_code,"
    " case_size, case_cost, unit_cost, preferred)"
    " VALUES (1, 1, 1, 'B1', 12, 15.60, 1.3, TRUE)",
    "INSERT INTO batch (id, data_set_id, batch_type, status, description, parameters,"
    " row_count, status_counts, created_at)"
    " VALUES (1, 1, 'catalog', 'executed', '', '{}', 1, '{}', CURRENT_TIMESTAMP)",
    "INSERT INTO cost_history (data_set_id, product_id, vendor_id, old_unit_cost,"
    " new_unit_cost, old_case_cost, new_case_cost, old_case_size, new_case_size, batch_id,"
    " changed_at) VALUES (1, 1, 1, NULL, 1.2345, NULL, 14.81, NULL, 12, 1,"
    " '2026-12-01 10:00:00')",
    "INSERT INTO cost_history (data_set_id, product_id, vendor_id, old_unit_cost,"
    " new_unit_cost, old_case_cost, new_case_cost, old_case_size, new_case_size, batch_id,"
    " changed_at) VALUES (1, 1, 1, 1.2345, 1.3, 14.81, 15.60, 12, 12, 1,"
    " '2026-12-02 10:00:00')",
]
COSTS = (
    "SELECT product_id, vendor_id, old_unit_cost, new_unit_cost, old_case_cost,"
    " new_case_cost, old_case_size, new_case_size, batch_id FROM {} ORDER BY id"
)
EXPECTED = [
    (1, 1, None, Decimal("1.2345"), None, Decimal("14.81"), None, 12, 1),
    (1, 1, Decimal("1.2345"), Decimal("1.3"), Decimal("14.81"), Decimal("15.6"), 12, 12, 1),
]


def _costs(connection: object, table: str) -> list[tuple[object, ...]]:
    rows = connection.exec_driver_sql(COSTS.format(table)).all()  # type: ignore[attr-defined]
    # SQLite hands numerics back as floats: compare them as the decimals they stand for.
    return [
        tuple(Decimal(str(v)).normalize() if isinstance(v, float | Decimal) else v for v in row)
        for row in rows
    ]


def _normalized(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return [tuple(v.normalize() if isinstance(v, Decimal) else v for v in row) for row in rows]


def test_0017_moves_the_cost_history_into_the_change_log_and_back(scratch_url: str) -> None:
    with migrated_to(scratch_url, "0016", ROWS) as (config, engine):
        command.upgrade(config, "0017")
        with engine.connect() as connection:
            assert "cost_history" not in inspect(connection).get_table_names()
            assert _costs(connection, "product_change") == _normalized(EXPECTED)
            fields = connection.exec_driver_sql(
                "SELECT field, source, changed_at FROM product_change ORDER BY id"
            ).all()
            assert [(field, source) for field, source, _ in fields] == [("cost", "batch")] * 2
            assert str(fields[0][2]).startswith("2026-12-01 10:00:00")
            # The product's own rows are untouched.
            costs = connection.exec_driver_sql("SELECT count(*) FROM product_cost").scalar()
            assert costs == 1
        command.downgrade(config, "0016")
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            assert "product_change" not in tables
            assert _costs(connection, "cost_history") == _normalized(EXPECTED)
            counts = [
                connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()  # noqa: S608
                for table in ("product", "product_cost", "vendor", "batch")
            ]
        assert counts == [1, 1, 1, 1]
