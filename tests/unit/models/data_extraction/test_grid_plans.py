"""How the grid reads a page filtered on an indexed column: it counts the matches first
(up to ``sort_cap``); few (up to ``probe``) are sorted, and more are looked for among
the first ``walk`` rows in the page's order before they are sorted (up to ``sort_cap``)
or the planner's own plan runs. Whichever plan runs, a page holds the same rows as the
plain plan's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from poser.models.data_extraction.grid import GridPage, grid_page, parse_grid_state
from tests.unit.models.data_extraction.test_grid import (  # noqa: F401
    COLUMNS,
    base,
    sample_url,
    session,
)

INDEXED = [
    replace(column, indexed=column.name in ("name", "price", "qty", "kind")) for column in COLUMNS
]
# Filters on indexed columns, alone, together and with one no index serves.
FILTERS = [
    {"kind.in": "fruit"},
    {"price.min": "1"},
    {"qty.min": "5", "qty.max": "25"},
    {"kind.in": ["fruit", "dairy"], "price.max": "2.5"},
    {"kind.in": "dairy", "name.q": "item 1"},
    {"name.q": "Item 07", "name.match": "equals"},
]
SORTS = [None, "name", "-price", "qty", "-qty", "id"]
# (probe, walk, sort cap): few matches; more, found by the walk; more, past the walk and
# sorted; more than the sort cap, past the walk.
PLANS = {
    "few": (1000, 1000, 0),
    "walk": (2, 1000, 0),
    "past the walk, sorted": (2, 3, 1000),
    "past the walk": (2, 3, 0),
}


# The kind's matches listed by name, price and quantity (an index for each pair).
PAIRED = [
    replace(column, index_sorts=("name", "price", "qty")) if column.name == "kind" else column
    for column in INDEXED
]


def page_of(session: Session, params: dict[str, Any], *, probe: int, walk: int = 1000,  # noqa: F811
            count_cap: int = 1000, sort_cap: int = 0, search_walk: int = 1000,
            columns: Any = INDEXED) -> GridPage:  # fmt: skip
    state = parse_grid_state(params, columns)
    return grid_page(
        session, base(), columns, state, "id",
        count_cap=count_cap, probe=probe, walk=walk, sort_cap=sort_cap,
        search_walk=search_walk,
    )  # fmt: skip


PARAMETER = re.compile(r"%\(\w+\)s(::[A-Z]+)?")


def true(session: Session) -> str:  # noqa: F811
    """How the database spells a true condition's value in "x IS true"."""
    return "1" if session.get_bind().dialect.name == "sqlite" else "true"


def row_ok(session: Session) -> str:  # noqa: F811
    """How the database spells "the walked row matches" in a WHERE."""
    return "anon_1.row_ok = 1" if session.get_bind().dialect.name == "sqlite" else "anon_1.row_ok"


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


@pytest.mark.parametrize("plan", PLANS)
def test_every_plan_reads_the_pages_the_plain_plan_reads(session: Session, plan: str) -> None:  # noqa: F811
    probe, walk, sort_cap = PLANS[plan]
    for filters in FILTERS:
        for sort in SORTS:
            params = {**filters, "size": "3", **({"sort": sort} if sort else {})}
            for number in range(1, 6):
                at = {**params, "page": str(number)}
                plain = page_of(session, at, probe=0)
                chosen = page_of(session, at, probe=probe, walk=walk, sort_cap=sort_cap)
                assert [r["id"] for r in chosen.rows] == [r["id"] for r in plain.rows], at
                assert (chosen.page, chosen.has_next) == (plain.page, plain.has_next), at
                if not chosen.total_is_capped:
                    assert chosen.total == plain.total, at


@pytest.mark.parametrize("plan", PLANS)
def test_paired_plans_read_the_pages_the_plain_plan_reads(session: Session, plan: str) -> None:  # noqa: F811
    probe, walk, sort_cap = PLANS[plan]
    paired_filters = [
        *FILTERS,
        {"kind.in": ["fruit", "dairy", "meat"]},
        {"kind.in": ["dairy", "fruit"], "qty.min": "4", "name.q": "item"},
    ]
    for filters in paired_filters:
        for sort in SORTS:
            params = {**filters, "size": "3", **({"sort": sort} if sort else {})}
            for number in (1, 2, 3, 5, 12):
                at = {**params, "page": str(number)}
                plain = page_of(session, at, probe=0, columns=PAIRED)
                chosen = page_of(
                    session, at, probe=probe, walk=walk, sort_cap=sort_cap, columns=PAIRED
                )
                assert [r["id"] for r in chosen.rows] == [r["id"] for r in plain.rows], at
                assert (chosen.page, chosen.has_next) == (plain.page, plain.has_next), at
                if not chosen.total_is_capped:
                    assert chosen.total == plain.total, at


def test_many_matches_of_a_paired_filter_are_read_from_the_pair_index(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    # Ten fruit; more than the probe of two: no walk, no count past the probe, and the
    # planner's plan reads the page in the pair's order.
    params = {"kind.in": "fruit", "price.min": "1", "sort": "-qty", "size": "3"}
    page = page_of(session, params, probe=2, walk=1000, sort_cap=1000, columns=PAIRED)
    assert (page.total, page.total_is_capped) == (7, False)  # exact, up to the sort cap
    count, planned, _rows = statements
    assert count.startswith("SELECT count(*)")
    assert "row_ok" not in planned
    # The range is kept from any index.
    assert f"(grid_item.price >= ?) IS {true(session)}" in planned
    assert planned.endswith("ORDER BY grid_item.qty DESC, grid_item.id DESC LIMIT ? OFFSET ?")
    # Several kinds: each kind's first rows in order, merged.
    statements.clear()
    several = {**params, "kind.in": ["fruit", "dairy"], "page": "2"}
    page = page_of(session, several, probe=2, sort_cap=1000, columns=PAIRED)
    _count, merged, _rows = statements
    plain = page_of(session, several, probe=0, columns=PAIRED)
    assert [r["id"] for r in page.rows] == [r["id"] for r in plain.rows]
    assert {r["kind"] for r in page.rows} == {"fruit", "dairy"}
    assert merged.count("UNION ALL") == 1
    assert merged.count("grid_item.kind IN (?)") == 2
    assert merged.endswith("ORDER BY anon_1.row_sort DESC, anon_1.row_key DESC LIMIT ? OFFSET ?")
    # A sort the pair does not hold: the walk, as without pairs.
    statements.clear()
    page_of(session, {**params, "sort": "-id"}, probe=2, walk=1000, columns=PAIRED)
    assert "AS row_ok" in statements[1]


@pytest.mark.parametrize("columns", [INDEXED, PAIRED], ids=["unpaired", "paired"])
def test_a_page_past_the_end_of_more_matches_than_counted_is_the_last(
    session: Session,  # noqa: F811
    columns: Any,
) -> None:
    # Ten fruit, counted up to three: many; the count cap (two) cannot find the end.
    params = {"kind.in": "fruit", "sort": "-qty", "size": "3", "page": "9"}
    page = page_of(session, params, probe=2, walk=4, sort_cap=3, count_cap=2, columns=columns)
    assert (page.page, page.total, page.total_is_capped) == (4, 10, False)
    assert ([r["qty"] for r in page.rows], page.has_next) == ([3], False)


def test_few_matches_are_counted_exactly_past_the_count_cap(session: Session) -> None:  # noqa: F811
    # Ten of the thirty items are fruit (every third); the count cap is three.
    page = page_of(session, {"kind.in": "fruit", "size": "4"}, probe=100, count_cap=3)
    assert (page.total, page.total_is_capped, page.pages) == (10, False, 3)
    # A page past the end is the last one, known before any row is read.
    last = page_of(session, {"kind.in": "fruit", "size": "4", "page": "9"}, probe=100)
    assert (last.page, [r["qty"] for r in last.rows], last.has_next) == (3, [27, 30], False)


def test_many_matches_say_how_many_they_are_known_to_exceed(session: Session) -> None:  # noqa: F811
    page = page_of(session, {"kind.in": "fruit", "size": "3", "sort": "-qty"}, probe=4)
    assert [r["qty"] for r in page.rows] == [30, 27, 24]
    assert (page.total, page.total_is_capped, page.pages) == (4, True, None)
    third = page_of(session, {"kind.in": "fruit", "size": "3", "page": "2"}, probe=4)
    assert (third.total, third.total_is_capped) == (6, True)


def test_few_matches_are_sorted_in_a_subquery_of_their_own(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    page_of(session, {"kind.in": "fruit", "sort": "name"}, probe=100)
    probe, keys, _rows = statements
    assert probe.startswith("SELECT count(*)")
    assert re.search(r"LIMIT \?( OFFSET \?)?\) AS anon_1", probe)
    # The matches (limited: the count said how many) are sorted outside.
    assert keys.startswith(
        "SELECT anon_1.row_key FROM (SELECT grid_item.id AS row_key, grid_item.name AS row_sort"
    )
    assert keys.endswith("ORDER BY anon_1.row_sort, anon_1.row_key LIMIT ? OFFSET ?")


def test_many_matches_are_looked_for_in_the_first_rows_in_order_then_by_the_planner(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    params = {"kind.in": "fruit", "price.min": "1", "sort": "qty", "size": "3"}
    # The first 1000 rows by quantity hold the page: nothing else is asked.
    page_of(session, params, probe=2, walk=1000)
    probe, walked, rows = statements
    assert probe.startswith("SELECT count(*)")
    assert rows.startswith("SELECT grid_item.id, grid_item.name")
    assert (
        " AS row_ok FROM grid_item WHERE grid_item.data_set_id = ? ORDER BY grid_item.qty" in walked
    )
    assert walked.endswith(
        f"WHERE {row_ok(session)} ORDER BY anon_1.row_sort, anon_1.row_key LIMIT ? OFFSET ?"
    )
    statements.clear()
    # The first four rows by quantity do not hold it: the planner's plan runs, with the
    # price range (not the sort's column) kept from any index, and the choice not.
    page_of(session, params, probe=2, walk=4)
    _probe, walked, planned, _rows = statements
    assert "AS row_ok" in walked
    assert f"(grid_item.price >= ?) IS {true(session)}" in planned
    assert "AND grid_item.kind IN (?)" in planned
    assert planned.endswith("ORDER BY grid_item.qty, grid_item.id LIMIT ? OFFSET ?")


def test_matches_past_the_walk_are_sorted_up_to_the_sort_cap(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    # Ten fruit (every third item); the first four by quantity hold one.
    params = {"kind.in": "fruit", "sort": "qty", "size": "3"}
    page = page_of(session, params, probe=2, walk=4, sort_cap=10)
    assert [r["qty"] for r in page.rows] == [3, 6, 9]
    assert (page.total, page.total_is_capped) == (10, False)  # counted to the sort cap
    count, walked, sorted_, _rows = statements
    assert count.startswith("SELECT count(*)")
    assert "AS row_ok" in walked
    assert sorted_.startswith("SELECT anon_1.row_key FROM (SELECT grid_item.id AS row_key")
    assert sorted_.endswith("ORDER BY anon_1.row_sort, anon_1.row_key LIMIT ? OFFSET ?")
    statements.clear()
    # A page past the walk is sorted at once.
    page = page_of(session, {**params, "page": "3"}, probe=2, walk=4, sort_cap=10)
    assert [r["qty"] for r in page.rows] == [21, 24, 27]
    count, sorted_, _rows = statements
    assert "row_ok" not in sorted_
    # One match more than the sort cap: the planner's plan, as before.
    statements.clear()
    page = page_of(session, params, probe=2, walk=4, sort_cap=9)
    assert (page.total, page.total_is_capped) == (9, True)
    assert statements[2].endswith("ORDER BY grid_item.qty, grid_item.id LIMIT ? OFFSET ?")


def test_a_range_on_the_sorted_column_stays_open_to_its_index(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    page_of(session, {"price.min": "1", "sort": "price"}, probe=2, walk=1)
    planned = statements[-2]
    assert "grid_item.price >= ? ORDER BY" in planned
    assert f"IS {true(session)}" not in planned


def test_without_an_indexed_filter_nothing_is_counted_first_in_the_keys_order(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    page = page_of(session, {"active.is": "yes", "size": "3"}, probe=100, count_cap=5)
    assert not statements[0].startswith("SELECT count(*)")
    assert (page.total, page.total_is_capped) == (5, True)


# Filters no index serves: a computed value, a search, a search that finds nothing.
UNINDEXED = [{"value.min": "10"}, {"name.q": "item 1"}, {"name.q": "nothing like it"}]


@pytest.mark.parametrize(("count_cap", "search_walk"), [(1000, 1000), (4, 1000), (4, 2)])
def test_unindexed_filters_sorted_apart_read_the_pages_the_plain_plan_reads(
    session: Session,  # noqa: F811
    count_cap: int,
    search_walk: int,
) -> None:
    # A cap of 1000: the count finds few, and they are sorted; of 4: many. Then, on
    # PostgreSQL, the first rows in order hold the pages (a walk of 1000), or not (2).
    for filters in UNINDEXED:
        for sort in ("name", "-price", "-qty"):
            for number in range(1, 5):
                at = {**filters, "size": "3", "sort": sort, "page": str(number)}
                plain = page_of(session, at, probe=0, count_cap=count_cap)
                chosen = page_of(
                    session, at, probe=100, count_cap=count_cap, search_walk=search_walk
                )
                assert [r["id"] for r in chosen.rows] == [r["id"] for r in plain.rows], at
                assert (chosen.page, chosen.has_next) == (plain.page, plain.has_next), at
                assert chosen.total_is_capped == plain.total_is_capped, at
                if not chosen.total_is_capped:
                    assert chosen.total == plain.total, at


def test_a_search_that_finds_nothing_sorted_apart_is_one_count(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    page = page_of(session, {"name.q": "nothing like it", "sort": "-price"}, probe=100)
    assert (page.rows, page.total, page.total_is_capped) == ([], 0, False)
    (count,) = statements
    # In the table's (the key's) order, not the sort's index's.
    assert count.startswith("SELECT count(*)")
    # On SQLite, in the table's (the key's) order; PostgreSQL plans its own.
    if session.get_bind().dialect.name == "sqlite":
        assert "ORDER BY grid_item.id LIMIT" in count
    else:
        assert "ORDER BY" not in count


def test_many_matches_of_a_search_sorted_apart_are_walked_then_sorted_on_postgresql(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    postgresql = session.get_bind().dialect.name == "postgresql"
    params = {"name.q": "item", "sort": "-price", "size": "3"}
    # More than the count cap match; the first 1000 rows by price hold the page.
    page = page_of(session, params, probe=100, count_cap=4)
    assert (page.total, page.total_is_capped, page.has_next) == (4, True, True)
    if postgresql:
        _count, walked, _rows = statements
        assert "AS row_ok" in walked
    else:  # the planner's plan, which stops at the page
        _count, planned, _rows = statements
        assert planned.startswith("SELECT grid_item.id FROM grid_item WHERE")
        assert "ORDER BY grid_item.price DESC, grid_item.id DESC LIMIT" in planned
    # The first four rows by price do not hold a page of "item 1": on PostgreSQL
    # every match is then sorted, in a subquery that an OFFSET keeps apart.
    fewer = {**params, "name.q": "item 1"}
    plain = page_of(session, fewer, probe=0, count_cap=4)
    statements.clear()
    page = page_of(session, fewer, probe=100, count_cap=4, search_walk=4)
    assert [r["id"] for r in page.rows] == [r["id"] for r in plain.rows]
    if postgresql:
        _count, walked, sorted_, _rows = statements
        assert "AS row_ok" in walked
        assert sorted_.startswith("SELECT anon_1.row_key FROM (SELECT grid_item.id AS row_key")
        assert " OFFSET ?) AS anon_1 ORDER BY anon_1.row_sort DESC" in sorted_
    else:
        assert len(statements) == 3


def bounded(at_most: int | None) -> list[Any]:
    """The columns, the name's filters said to match at most ``at_most`` rows."""
    return [
        replace(column, bound=lambda item: at_most) if column.name == "name" else column
        for column in INDEXED
    ]


@pytest.mark.parametrize(
    ("at_most", "sort_cap"), [(1000, 1000), (1, 3), (None, 1000)], ids=["bound", "short", "none"]
)
def test_bounded_filters_sorted_apart_read_the_pages_the_plain_plan_reads(
    session: Session,  # noqa: F811
    at_most: int | None,
    sort_cap: int,
) -> None:
    # Bound: every match is sorted and counted. Short (a bound or an estimate below
    # the truth): more than the sort cap turn up, and the plan for many reads the page.
    # None: PostgreSQL's planner estimates.
    for filters in ({"name.q": "item 1"}, {"name.q": "item"}, {"name.q": "nothing"}):
        for sort in ("name", "-price", "-qty"):
            for number in (1, 2, 4, 9):
                at = {**filters, "size": "3", "sort": sort, "page": str(number)}
                plain = page_of(session, at, probe=0)  # its total exact, past the end too
                chosen = page_of(
                    session, at, probe=100, count_cap=4, sort_cap=sort_cap,
                    columns=bounded(at_most),
                )  # fmt: skip
                assert [r["id"] for r in chosen.rows] == [r["id"] for r in plain.rows], at
                assert (chosen.page, chosen.has_next) == (plain.page, plain.has_next), at
                if not chosen.total_is_capped:
                    assert chosen.total == plain.total, at


def test_bounded_matches_sorted_apart_are_counted_as_they_are_sorted(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    # Ten match "item 1", at most ten by the bound: no count runs before the page,
    # and the total is exact. (A walk of two rows is none: pages hold three.)
    params = {"name.q": "item 1", "sort": "-qty", "size": "3"}
    few = {"probe": 100, "count_cap": 12, "sort_cap": 1000, "search_walk": 2}
    page = page_of(session, params, **few, columns=bounded(10))
    assert (page.total, page.total_is_capped, page.has_next) == (10, False, True)
    assert [row["qty"] for row in page.rows] == [19, 18, 17]
    keys, _rows = statements
    assert keys.startswith(
        "SELECT anon_1.row_key, count(*) OVER () AS row_total FROM (SELECT grid_item.id"
        " AS row_key, grid_item.qty AS row_sort FROM grid_item WHERE"
    )
    assert keys.endswith(
        ") AS anon_1 ORDER BY anon_1.row_sort DESC, anon_1.row_key DESC LIMIT ? OFFSET ?"
    )
    # A page past the end is the last one: the matches are counted, then it is read.
    statements.clear()
    past = page_of(session, {**params, "page": "9"}, **few, columns=bounded(10))
    assert (past.page, past.total, [row["qty"] for row in past.rows]) == (4, 10, [10])
    assert [statement.split()[:2] for statement in statements] == [
        ["SELECT", "anon_1.row_key,"],  # nothing on page 9
        ["SELECT", "count(*)"],  # past the end, not past what the sort held
        ["SELECT", "anon_1.row_key,"],  # page 4
        ["SELECT", "grid_item.id,"],
    ]


def test_many_bounded_matches_are_walked_first_on_postgresql(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    # At most 20, past the count cap of 4: PostgreSQL looks among the first rows in
    # order first (they hold the page), then counts; SQLite counts, and its planner
    # reads the page.
    params = {"name.q": "item 1", "sort": "-qty", "size": "3"}
    page = page_of(session, params, probe=100, count_cap=4, sort_cap=1000, columns=bounded(20))
    assert [row["qty"] for row in page.rows] == [19, 18, 17]
    assert (page.total, page.total_is_capped) == (4, True)
    if session.get_bind().dialect.name == "postgresql":
        walked, _rows, count = statements
        assert "AS row_ok" in walked
        assert count.startswith("SELECT count(*)")
    else:
        count, planned, _rows = statements
        assert count.startswith("SELECT count(*)")
        assert planned.startswith("SELECT grid_item.id FROM grid_item WHERE")


def test_past_the_count_cap_postgresql_sorts_and_counts_every_match_after_the_walk(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    # At most 20 (past the count cap of 4) by the bound: the first 5 rows in order,
    # none of them "Item 1…", cannot hold the page; every match is then sorted and
    # counted in one statement, with no count before it. SQLite counts first.
    params = {"name.q": "item 1", "sort": "qty", "size": "3"}
    options = {"probe": 100, "count_cap": 4, "sort_cap": 1000, "search_walk": 5}
    page = page_of(session, params, **options, columns=bounded(20))
    assert [row["qty"] for row in page.rows] == [10, 11, 12]
    if session.get_bind().dialect.name != "postgresql":
        assert (page.total, page.total_is_capped) == (4, True)
        assert statements[0].startswith("SELECT count(*)")
        return
    assert (page.total, page.total_is_capped, page.pages) == (10, False, 4)
    walked, counting, _rows = statements
    assert "AS row_ok" in walked
    assert "count(*) OVER ()" in counting
    assert " OFFSET ?) AS anon_1 ORDER BY anon_1.row_sort, anon_1.row_key" in counting
    # A page past the end: nothing sorted there, every match counted, the last page read.
    statements.clear()
    past = page_of(session, {**params, "page": "9"}, **options, columns=bounded(20))
    assert (past.page, past.total, [row["qty"] for row in past.rows]) == (4, 10, [19])
    assert [statement.split()[:2] for statement in statements] == [
        ["SELECT", "anon_1.row_key,"],  # page 9, past the walk
        ["SELECT", "count(*)"],
        ["SELECT", "anon_1.row_key,"],  # page 4
        ["SELECT", "grid_item.id,"],
    ]


def test_a_short_bound_gives_way_to_the_plan_for_many(
    session: Session,  # noqa: F811
    statements: list[str],
) -> None:
    # Said to match one, "item" matches 30: the sort stops past its cap of 3, and the
    # plan for many reads the page: SQLite's planner's, or on PostgreSQL a sort of
    # every match.
    params = {"name.q": "item", "sort": "-qty", "size": "3"}
    page = page_of(
        session, params, probe=100, count_cap=4, sort_cap=3, search_walk=2, columns=bounded(1)
    )
    assert [row["qty"] for row in page.rows] == [30, 29, 28]
    assert (page.total, page.total_is_capped) == (3, True)  # more than the sort cap
    counting, keys, _rows = statements
    assert "count(*) OVER ()" in counting
    assert re.search(r"LIMIT \?( OFFSET \?)?\) AS anon_1 ORDER BY", counting)
    if session.get_bind().dialect.name == "postgresql":
        assert " OFFSET ?) AS anon_1 ORDER BY anon_1.row_sort DESC" in keys
    else:
        assert keys.startswith("SELECT grid_item.id FROM grid_item WHERE")
    # With a walk that can hold the page: PostgreSQL walks after the sort stops short
    # (the estimate said few, so it had not walked), and the walk finds the page.
    statements.clear()
    again = page_of(session, params, probe=100, count_cap=4, sort_cap=3, columns=bounded(1))
    assert [row["qty"] for row in again.rows] == [30, 29, 28]
    counting, keys, _rows = statements
    assert "count(*) OVER ()" in counting
    assert ("AS row_ok" in keys) is (session.get_bind().dialect.name == "postgresql")
