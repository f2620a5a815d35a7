"""How the grid counts: up to a cap, and on SQLite in the table's order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from poser.models.data_extraction.grid import filtered_select, parse_grid_state
from poser.models.data_extraction.grid_counts import (
    count_all,
    count_capped,
    count_in_table_order,
)
from tests.unit.models.data_extraction.test_grid import (  # noqa: F401
    COLUMNS,
    base,
    item,
    sample_url,
    session,
)


def test_a_count_stops_past_its_cap(session: Session) -> None:  # noqa: F811
    filtered, _ = filtered_select(base(), COLUMNS, parse_grid_state({}, COLUMNS))
    assert count_capped(session, filtered, 32) == (32, False)
    assert count_capped(session, filtered, 31) == (31, True)
    assert count_capped(session, filtered, 31, item.c.id) == (31, True)


def test_a_count_of_all_has_no_cap(session: Session) -> None:  # noqa: F811
    state = parse_grid_state({"qty.min": "5", "sort": "-price"}, COLUMNS)
    filtered, _ = filtered_select(base(), COLUMNS, state)
    assert count_all(session, filtered, item.c.id) == 26  # of the data set's 32 rows
    nothing = parse_grid_state({"qty.min": "500"}, COLUMNS)
    assert count_all(session, filtered_select(base(), COLUMNS, nothing)[0], item.c.id) == 0


def test_a_count_in_table_order_orders_by_the_key_on_sqlite_only(session: Session) -> None:  # noqa: F811
    state = parse_grid_state({"qty.min": "5", "sort": "-price"}, COLUMNS)
    filtered, _ = filtered_select(base(), COLUMNS, state)
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        counted = count_in_table_order(session, filtered, item.c.id, 10)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert counted == (10, True)  # 26 of the data set's rows hold 5 or more
    (count,) = statements
    ordered = "ORDER BY grid_item.id LIMIT" in count
    assert ordered is (engine.dialect.name == "sqlite")
    assert "grid_item.price DESC" not in count
