"""The grid's special plans (grid_plans): each reads the pages the plain query reads, by
number, by the links forward and back and from the end; and each is the SQL its
table says, for the shape it names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import ColumnElement, event, select
from sqlalchemy.orm import Session

from poser.apps.widgets.grid_text import parse_grid_state
from poser.models.data_extraction.grid import GridPage, grid_page
from poser.models.data_extraction.grid_plans import InOrder, few_cap
from poser.models.data_extraction.grid_state import Filter, GridColumn, GridState
from tests.unit.models.data_extraction.test_grid import (  # noqa: F401
    COLUMNS,
    base,
    item,
    sample_url,
    session,
    state,
)

FILTERS = [
    {"kind.in": "fruit"},
    {"price.min": "1"},
    {"qty.min": "5", "qty.max": "25"},
    {"kind.in": ["fruit", "dairy"], "price.max": "2.5"},
    {"kind.in": ["dairy", "fruit", "bakery"]},
    {"kind.in": "dairy", "name.q": "item 1"},
    {"name.q": "Item 07", "name.match": "equals"},
    {"value.min": "20", "active.is": "yes"},
]
SORTS = [None, "name", "-price", "qty", "-qty", "value", "id"]
# A cap of 4 makes most of these filters' matches many; one of 100, few.
CAPS = (4, 100)


def pages(session: Session, params: dict[str, Any], **kw: Any) -> list[list[int]]:  # noqa: F811
    """Every page's keys, by the next links, then again by the previous links from the
    last page (they must agree), and the last page's as read from the end."""

    def read(grid_state: GridState) -> GridPage:
        return grid_page(session, base(), COLUMNS, grid_state, "id", **kw)

    page = read(state(size="3", **params))
    forward = [[row["id"] for row in page.rows]]
    last = page.link("last")
    while (following := page.link("next")) is not None:
        page = read(following)
        forward.append([row["id"] for row in page.rows])
    backward = [[row["id"] for row in page.rows]]
    while (preceding := page.link("previous")) is not None:
        page = read(preceding)
        backward.insert(0, [row["id"] for row in page.rows])
    assert backward == forward, params
    if last is not None:
        assert [row["id"] for row in read(last).rows] == forward[-1], params
    return forward


@pytest.mark.parametrize("cap", CAPS)
def test_every_plan_reads_the_pages_the_plain_query_reads(session: Session, cap: int) -> None:  # noqa: F811
    for filters in FILTERS:
        for sort in SORTS:
            params = {**filters, **({"sort": sort} if sort else {})}
            plain = pages(session, params, count_cap=cap, plans=False)
            assert pages(session, params, count_cap=cap) == plain, params
            for number in ("2", "5", "last"):
                typed = state(**params, size="3", page=number)
                planned = grid_page(session, base(), COLUMNS, typed, "id", count_cap=cap)
                unplanned = grid_page(
                    session, base(), COLUMNS, typed, "id", count_cap=cap, plans=False
                )
                assert planned.rows == unplanned.rows, (params, number)


PARAMETER = re.compile(r"%\(\w+\)s(::[A-Z]+)?")


@pytest.fixture
def statements(session: Session) -> Iterator[list[str]]:  # noqa: F811
    seen: list[str] = []
    engine = session.get_bind()

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # One spelling of a parameter for both databases: "?" (psycopg's are named).
        seen.append(PARAMETER.sub("?", " ".join(statement.split())))

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


COUNTED = re.compile(r", count\(\*\) OVER \(\) AS \w+")


def keys_read(statements: list[str]) -> str:
    """The statement that read the page's keys. PostgreSQL reads a first page of few
    matches with their number (grid_plans.COUNTED_WITH_FIRST_PAGE): that statement,
    without the count, unless the matches were many and the keys read after it."""
    ordered = [s for s in statements if s.startswith("SELECT") and "ORDER BY" in s]
    (keys,) = [s for s in ordered if not COUNTED.search(s)] or [COUNTED.sub("", ordered[0])]
    return keys


def test_few_matches_sorted_apart_are_sorted_in_a_subquery_of_their_own(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    params = {"kind.in": "fruit", "sort": "-price", "size": "3"}
    grid_page(session, base(), COLUMNS, state(**params), "id", count_cap=100)
    keys = keys_read(statements)
    assert keys.startswith(
        "SELECT anon_1.row_key FROM (SELECT grid_item.id AS row_key, grid_item.price AS row_sort"
    )
    assert ") AS anon_1 ORDER BY anon_1.row_sort DESC, anon_1.row_key DESC LIMIT ?" in keys
    assert "LIMIT ?" in keys.partition(") AS anon_1")[0]  # the fence


def test_many_matches_keep_a_range_on_another_column_off_its_index(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    params = {"qty.min": "5", "price.max": "3", "sort": "name", "size": "3"}
    grid_page(session, base(), COLUMNS, state(**params), "id", count_cap=4)
    keys = keys_read(statements)
    assert "(grid_item.qty >= ?) IS " in keys
    assert "(grid_item.price <= ?) IS " in keys
    assert keys.endswith("ORDER BY grid_item.name, grid_item.id LIMIT ? OFFSET ?") or keys.endswith(
        "ORDER BY grid_item.name, grid_item.id LIMIT ?"
    )
    statements.clear()
    # A range on the sort's own column stays open to its index.
    on_sort = {"price.max": "3", "sort": "price", "size": "3"}
    grid_page(session, base(), COLUMNS, state(**on_sort), "id", count_cap=4)
    assert "(grid_item.price <= ?) IS" not in keys_read(statements)


def test_many_matches_of_a_few_values_are_each_values_first_rows_merged(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    params = {"kind.in": ["fruit", "dairy"], "sort": "-qty", "size": "3", "page": "2"}
    page = grid_page(session, base(), COLUMNS, state(**params), "id", count_cap=4)
    keys = keys_read(statements)
    assert keys.count("grid_item.kind IN (") == 2
    assert " UNION ALL " in keys
    assert keys.count("ORDER BY row_sort DESC, row_key DESC LIMIT ?") == 2
    # The first rows of each value, up to the page's end: six each, for page 2 of 3.
    assert [row["qty"] for row in page.rows] == [25, 24, 22]


def test_on_postgresql_matches_up_to_twice_the_cap_are_few_and_sorted(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    # Ten fruit over a cap of 6: shown as "6+" on both databases; sorted apart (plan 1)
    # on PostgreSQL alone, which counts to twice the cap.
    params = {"kind.in": "fruit", "sort": "-price", "size": "3"}
    page = grid_page(session, base(), COLUMNS, state(**params), "id", count_cap=6)
    assert (page.total, page.total_is_capped) == (6, True)
    fenced = keys_read(statements).startswith(
        "SELECT anon_1.row_key FROM (SELECT grid_item.id AS row_key"
    )
    postgresql = session.get_bind().dialect.name == "postgresql"
    assert fenced is postgresql
    assert len([s for s in statements if s.startswith("SELECT count(*)")]) == 1
    plain = grid_page(session, base(), COLUMNS, state(**params), "id", count_cap=6, plans=False)
    assert page.rows == plain.rows

    # A search's first page: there, the page and the count are one statement (eleven
    # names hold "item 1": Item 01 and Item 10 to 19).
    statements.clear()
    params = {"name.q": "item 1", "sort": "-price", "size": "3"}
    page = grid_page(session, base(), COLUMNS, state(**params), "id", count_cap=6)
    assert (page.total, page.total_is_capped) == (6, True)
    counted = [s for s in statements if "count(*) OVER ()" in s]
    assert len(counted) == (1 if postgresql else 0)
    assert len([s for s in statements if s.startswith("SELECT count(*)")]) == (
        0 if postgresql else 1
    )
    plain = grid_page(session, base(), COLUMNS, state(**params), "id", count_cap=6, plans=False)
    assert page.rows == plain.rows
    # Its next page (by the link) is counted apart: the count reads what the first did.
    following = grid_page(session, base(), COLUMNS, page.link("next"), "id", count_cap=6)
    assert (
        following.rows
        == grid_page(
            session, base(), COLUMNS, page.link("next"), "id", count_cap=6, plans=False
        ).rows
    )


@pytest.mark.parametrize("params", [{}, {"sort": "-price"}, {"kind.in": "fruit"}])
def test_a_grid_no_plan_reads_counts_to_its_cap_alone(
    session: Session,  # noqa: F811
    statements: list[str],
    params: dict[str, str],
) -> None:
    """Without both a sort and filters no plan reads the page, so few and many are all
    one: the count stops past the cap on PostgreSQL too."""
    grid_page(session, base(), COLUMNS, state(**params, size="3"), "id", count_cap=6)
    (count,) = [s for s in statements if s.startswith("SELECT count(*)")]
    assert " LIMIT ?" in count
    assert len(statements) == 3  # the count, the keys, the rows


def test_the_count_stops_past_the_cap_unless_a_plan_reads_few(
    session: Session,  # noqa: F811
) -> None:
    limits: list[Any] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.startswith("SELECT count(*)"):
            values = parameters.values() if isinstance(parameters, dict) else parameters
            limits.append(max(v for v in values if isinstance(v, int)))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        grid_page(session, base(), COLUMNS, state(**{"kind.in": "fruit"}), "id", count_cap=6)
        sorted_ = state(**{"kind.in": "fruit", "sort": "-price"})
        grid_page(session, base(), COLUMNS, sorted_, "id", count_cap=6)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    postgresql = session.get_bind().dialect.name == "postgresql"
    assert limits == [7, 13 if postgresql else 7]


def _in_order(item_filter: Filter) -> ColumnElement[bool] | None:
    """Names that hold "1", with their rows in name order as two ranges that share a row
    ("Item 11"): those that begin "Item 1", and those that end with a 1."""
    if item_filter.op != "contains" or item_filter.value != "1":
        return None
    name = item.c.name
    rows = select(item.c.id.label("row_key"), name.label("row_sort")).where(item.c.data_set_id == 1)
    arms = [rows.where(name.like("Item 1%")), rows.where(name.like("Item %1"))]
    return InOrder(name.contains("1"), lambda: arms)


@pytest.mark.parametrize("cap", [4, 11, 12, 100])
def test_a_lone_search_that_reads_its_matches_in_order_is_counted_and_paged_from_them(
    session: Session,  # noqa: F811
    statements: list[str],
    cap: int,
) -> None:
    columns = [GridColumn("name", condition=_in_order), *COLUMNS[1:]]
    for sort in (None, "name", "-name", "-price"):
        params = {"name.q": "1", "size": "3", **({"sort": sort} if sort else {})}
        for number in ("1", "2", "4", "last"):
            at = parse_grid_state({**params, "page": number}, columns)
            planned = grid_page(session, base(), columns, at, "id", count_cap=cap)
            plain = grid_page(session, base(), columns, at, "id", count_cap=cap, plans=False)
            assert planned.rows == plain.rows, (sort, number)
            shown = (planned.total, planned.total_is_capped, planned.has_next)
            assert shown == (plain.total, plain.total_is_capped, plain.has_next), (sort, number)
        # Counted from the two ranges (PostgreSQL counts a sorted search's first page
        # with it), and by the name, read from them too, when many.
        statements.clear()
        grid_page(session, base(), columns, parse_grid_state(params, columns), "id")
        postgresql = session.get_bind().dialect.name == "postgresql"
        counted = any("count(DISTINCT anon_1.row_key)" in s for s in statements)
        assert counted is not (postgresql and sort is not None), sort
        statements.clear()
        at = parse_grid_state({**params, "page": "2"}, columns)
        grid_page(session, base(), columns, at, "id", count_cap=cap)
        keys = keys_read([s for s in statements if "count(" not in s])
        many = few_cap(session.get_bind().dialect.name, cap) < 12
        assert (" UNION SELECT " in keys) is (sort in ("name", "-name") and many), keys
        statements.clear()
