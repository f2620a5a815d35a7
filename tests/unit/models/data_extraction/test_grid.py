"""The grid engine on a table of its own (tests/grid_sample: its migration makes it in a
scratch database of the suite's kind): columns, filters per type, sort, paging, capped
totals, streaming. States come from URL parameters, as a grid's do."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    Select,
    String,
    Table,
    create_engine,
    event,
    insert,
    select,
)
from sqlalchemy.orm import Session

from poser.apps.widgets.grid_text import parse_grid_state
from poser.models.data_extraction.grid import grid_page, grid_rows, rows_by_key
from poser.models.data_extraction.grid_filters import filtered_select
from poser.models.data_extraction.grid_state import Filter, GridColumn, GridState
from poser.models.orm.meta import UTCDateTime
from tests.grid_sample import sample_database

metadata = MetaData()
item = Table(
    "grid_item",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("data_set_id", Integer, nullable=False),
    Column("name", String(40), nullable=False),
    Column("price", Numeric(10, 2)),
    Column("qty", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("added", Date),
    Column("seen_at", DateTime),
    Column("changed_at", UTCDateTime),
    Column("kind", String(10), nullable=False),
)

KINDS = ("fruit", "dairy", "bakery")
COLUMNS = [
    GridColumn("name", "Name"),
    GridColumn("price", "Price", type="decimal"),
    GridColumn("qty", "Quantity", type="int"),
    GridColumn("active", "Active", type="bool"),
    GridColumn("added", "Added", type="date"),
    GridColumn("seen_at", "Seen", type="date", visible=False),
    GridColumn("changed_at", "Changed", type="date", visible=False),
    GridColumn("kind", "Kind", type="choice", choices=[(k, k.title()) for k in KINDS]),
    GridColumn("value", "Value", type="decimal", expression=item.c.price * item.c.qty),
    GridColumn("note", "Note", sortable=False, filterable=False),
]


def rows_for(data_set_id: int, count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": data_set_id * 1000 + n,
            "data_set_id": data_set_id,
            "name": f"Item {n:02d}",
            # Prices repeat so that sorting by price has ties for the key to break.
            "price": Decimal(n % 4) + Decimal("0.50") if n % 7 else None,
            "qty": n,
            "active": n % 2 == 0,
            "added": date(2024, 1, n % 28 + 1),
            "seen_at": datetime(2024, 1, n % 28 + 1, 23, 30),
            "changed_at": datetime(2024, 1, n % 28 + 1, 0, 5, tzinfo=UTC),
            "kind": KINDS[n % 3],
        }
        for n in range(1, count + 1)
    ]


@pytest.fixture(scope="module")
def sample_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of the run's kind (SQLite, or PostgreSQL when the suite runs on it: the
    grid plans some pages per database), made by the sample tables' migration and
    holding this module's rows."""
    with sample_database(database_url, tmp_path_factory.mktemp("grid"), metadata) as url:
        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(insert(item), rows_for(1, 30) + rows_for(2, 5))
                connection.execute(
                    insert(item),
                    [
                        {**rows_for(1, 1)[0], "id": 1101, "name": "50% off_sale", "qty": 0},
                        {**rows_for(1, 1)[0], "id": 1102, "name": "500 offXsale", "qty": 0},
                    ],
                )
                if engine.dialect.name == "postgresql":
                    connection.exec_driver_sql("ANALYZE grid_item")
        finally:
            engine.dispose()
        yield url


@pytest.fixture
def session(sample_url: str) -> Iterator[Session]:
    """A session on the sample database; the tests only read."""
    engine = create_engine(sample_url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def base(data_set_id: int = 1) -> Select[Any]:
    return select(
        item.c.id,
        item.c.name,
        item.c.price,
        item.c.qty,
        item.c.active,
        item.c.added,
        item.c.seen_at,
        item.c.changed_at,
        item.c.kind,
        (item.c.name + "!").label("note"),
    ).where(item.c.data_set_id == data_set_id)


def state(**params: Any) -> GridState:
    return parse_grid_state(params, COLUMNS)


def ids(session: Session, grid_state: GridState, data_set_id: int = 1) -> list[int]:
    filtered, _ = filtered_select(base(data_set_id), COLUMNS, grid_state)
    return sorted(session.scalars(filtered.with_only_columns(item.c.id)))


# --- columns ---------------------------------------------------------------------------


def test_grid_columns_are_checked_when_declared() -> None:
    with pytest.raises(ValueError, match="identifier"):
        GridColumn("bad.name")
    with pytest.raises(ValueError, match="type"):
        GridColumn("x", type="float")
    with pytest.raises(ValueError, match="choices"):
        GridColumn("x", type="choice")
    assert GridColumn("unit_cost").label == "Unit cost"
    assert GridColumn("k", type="choice", choices=[1, (2, "Two")]).choices == ((1, "1"), (2, "Two"))


# --- queries ---------------------------------------------------------------------------


def test_text_filters_contain_case_blind_or_equal_exactly(session: Session) -> None:
    assert ids(session, state(**{"name.q": "ITEM 0"})) == list(range(1001, 1010))
    assert ids(session, state(**{"name.q": "Item 07", "name.match": "equals"})) == [1007]
    assert ids(session, state(**{"name.q": "item 07", "name.match": "equals"})) == []


def test_like_wildcards_in_text_filters_are_literal(session: Session) -> None:
    assert ids(session, state(**{"name.q": "50%"})) == [1101]
    assert ids(session, state(**{"name.q": "off_sale"})) == [1101]


def test_number_ranges_are_inclusive(session: Session) -> None:
    assert ids(session, state(**{"qty.min": "28", "qty.max": "30"})) == [1028, 1029, 1030]
    expected = [1000 + n for n in range(1, 31) if n % 7 and n % 4 == 3]
    assert ids(session, state(**{"price.min": "3.5", "price.max": "3.50"})) == expected


def test_a_computed_column_filters_and_sorts(session: Session) -> None:
    # value = price * qty; rows without a price have no value and match no range.
    page = grid_page(session, base(), COLUMNS, state(**{"value.min": "80", "sort": "-value"}), "id")
    values = [row["value"] for row in page.rows]
    assert values == sorted(values, reverse=True)
    assert min(values) >= 80
    assert page.rows[0]["value"] == Decimal("3.50") * 27


def test_booleans(session: Session) -> None:
    first_six = {"qty.min": "1", "qty.max": "6"}
    assert ids(session, state(**{"active.is": "yes", **first_six})) == [1002, 1004, 1006]
    assert ids(session, state(**{"active.is": "no", **first_six})) == [1001, 1003, 1005]


def test_dates_from_and_to_include_both_days_on_dates_and_timestamps(session: Session) -> None:
    expected = [1002, 1003, 1030]
    for column in ("added", "seen_at", "changed_at"):
        params = {f"{column}.from": "2024-01-03", f"{column}.to": "2024-01-04"}
        assert ids(session, state(**params)) == expected, column


def test_choices(session: Session) -> None:
    found = ids(session, state(**{"kind.in": ["dairy", "bakery"], "qty.min": "1", "qty.max": "6"}))
    assert found == [1001, 1002, 1004, 1005]


def test_filters_stay_inside_the_base_query(session: Session) -> None:
    assert ids(session, state(**{"qty.max": "3"}), data_set_id=2) == [2001, 2002, 2003]


def test_sort_breaks_ties_by_key_so_paging_shows_every_row_once(session: Session) -> None:
    everything = list(session.execute(base()).mappings())
    for sort in ("price", "-price", "kind", "-active", "name", "-qty"):
        column, descending = sort.lstrip("-"), sort.startswith("-")
        # NULLs first going up, last going down, on SQLite; the other way round on
        # PostgreSQL. Ties by id, the same way.
        nulls_high = session.get_bind().dialect.name == "postgresql"
        expected = [
            row["id"]
            for row in sorted(
                everything,
                key=lambda r: ((r[column] is None) is nulls_high, r[column] or 0, r["id"]),
                reverse=descending,
            )
        ]
        paged: list[int] = []
        for page_number in range(1, 20):
            grid_state = state(sort=sort, size="4", page=str(page_number))
            page = grid_page(session, base(), COLUMNS, grid_state, "id")
            paged += [row["id"] for row in page.rows]
            if not page.has_next:
                break
        assert paged == expected, sort
        streamed = grid_rows(session, base(), COLUMNS, state(sort=sort, cols="name"), "id")
        assert [name for (name,) in streamed] == [
            next(r["name"] for r in everything if r["id"] == i) for i in expected
        ]


def test_default_order_is_the_key(session: Session) -> None:
    page = grid_page(session, base(), COLUMNS, state(size="5"), "id")
    assert [row["id"] for row in page.rows] == [1001, 1002, 1003, 1004, 1005]


def test_pages_below_the_cap_are_counted_exactly(session: Session) -> None:
    page = grid_page(session, base(), COLUMNS, state(size="10", page="4"), "id")
    assert (page.total, page.total_is_capped, page.pages) == (32, False, 4)
    assert (page.first, page.last, page.has_previous, page.has_next) == (31, 32, True, False)


def test_a_page_past_the_end_becomes_the_last_page(session: Session) -> None:
    page = grid_page(session, base(), COLUMNS, state(size="10", page="99"), "id")
    assert page.page == 4
    assert [row["id"] for row in page.rows] == [1101, 1102]


def test_no_rows_is_page_one_of_one(session: Session) -> None:
    page = grid_page(session, base(), COLUMNS, state(**{"name.q": "zzz"}), "id")
    assert (page.total, page.page, page.pages, page.first, page.last) == (0, 1, 1, 0, 0)


def test_a_page_counts_its_rows_once_up_to_the_cap(session: Session) -> None:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.lower().split()))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        page = grid_page(session, base(), COLUMNS, state(size="10", page="2"), "id", count_cap=20)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    (count,) = [s for s in statements if "count(" in s]
    assert count.startswith("select count(*)")
    assert " limit " in count.partition("from (")[2]  # it stops past the cap
    assert (page.total, page.total_is_capped) == (20, True)


def test_the_sorting_paging_and_counting_read_only_the_key(session: Session) -> None:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.lower().split()))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        grid_state = state(**{"value.min": "10", "sort": "-value", "size": "3"})
        page = grid_page(session, base(), COLUMNS, grid_state, "id", count_cap=5)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    count, keys, rows = statements
    assert "(select grid_item.id as id from grid_item where" in count
    assert keys.startswith("select grid_item.id from grid_item where")
    assert "limit" in keys
    assert "grid_item.name" in rows
    assert "limit" not in rows
    assert ">=" not in rows  # the keys are looked up, not filtered for again
    values = [row["value"] for row in page.rows]
    assert values == sorted(values, reverse=True)
    assert (page.total, page.total_is_capped) == (5, True)


def test_totals_above_the_cap_are_capped_and_paging_goes_on(session: Session) -> None:
    page = grid_page(session, base(), COLUMNS, state(size="5", page="2"), "id", count_cap=12)
    assert (page.total, page.total_is_capped, page.pages) == (12, True, None)
    assert [row["id"] for row in page.rows] == [1006, 1007, 1008, 1009, 1010]
    assert page.has_next
    assert page.link("last") is None
    # A page that reaches past the cap: its rows say there are more.
    beyond = grid_page(session, base(), COLUMNS, state(size="5", page="3"), "id", count_cap=12)
    assert [row["id"] for row in beyond.rows] == [1011, 1012, 1013, 1014, 1015]
    assert (beyond.total, beyond.total_is_capped, beyond.pages, beyond.last) == (15, True, None, 15)
    # The last page knows the total from its own rows, cap or no cap.
    last = grid_page(session, base(), COLUMNS, state(size="5", page="7"), "id", count_cap=12)
    assert [row["id"] for row in last.rows] == [1101, 1102]
    assert (last.total, last.total_is_capped, last.pages, last.has_next) == (32, False, 7, False)
    past = grid_page(session, base(), COLUMNS, state(size="5", page="9"), "id", count_cap=12)
    assert (past.rows, past.page, past.first) == ([], 9, 0)


def test_grid_rows_streams_every_filtered_row_in_order_with_the_visible_columns(
    session: Session,
) -> None:
    grid_state = state(**{"active.is": "yes", "sort": "-qty", "cols": "qty,name"})
    rows = list(grid_rows(session, base(), COLUMNS, grid_state, "id", batch=3))
    assert rows[:3] == [("Item 30", 30), ("Item 28", 28), ("Item 26", 26)]
    assert len(rows) == 15


def test_grid_rows_closes_its_result_when_abandoned(session: Session) -> None:
    rows = grid_rows(session, base(), COLUMNS, state(), "id", batch=2)
    assert next(rows)[0] == "Item 01"
    rows.close()
    session.execute(select(1))  # the connection is free again


def test_rows_by_key_finds_only_rows_of_the_query(session: Session) -> None:
    found = rows_by_key(session, base(), COLUMNS, "id", ["1003", "2001", "x", "9" * 30, "+1"])
    assert set(found) == {"1003"}
    assert found["1003"]["name"] == "Item 03"
    assert rows_by_key(session, base(), COLUMNS, "id", []) == {}


def test_a_column_must_be_in_the_query_or_have_an_expression(session: Session) -> None:
    with pytest.raises(ValueError, match="not in the query"):
        grid_page(session, base(), [GridColumn("missing")], state(), "id")
    with pytest.raises(ValueError, match="key"):
        grid_page(session, base(), COLUMNS, state(), "missing")


def test_a_columns_filter_values_by_op_keep_the_first_of_a_repeated_op() -> None:
    state = GridState(
        filters=(
            Filter("price", "min", Decimal("1.5")),
            Filter("name", "contains", "milk"),
            Filter("price", "max", Decimal("3")),
            Filter("price", "min", Decimal("9")),
        )
    )
    assert state.filter_values("price") == {"min": Decimal("1.5"), "max": Decimal("3")}
    assert state.filter_values("name") == {"contains": "milk"}
    assert state.filter_values("qty") == {}
