"""Which plan reads a grid's page, and the ORDER BY every plan shares.

A filter on an indexed column (`GridColumn.indexed`) is counted first, up to
``PLAN_SORT`` rows, through its index. The count chooses the plan:

- Few match (up to ``PLAN_PROBE``): they are read by the filter's index and sorted
  (`sorted_matches`). The count is the exact total, however far past the grid's count
  cap.
- More match, and an index lists the filter's matches in the page's order (a
  department's products by brand: `GridColumn.index_sorts`): the planner reads the
  page from it, for a filter on one value; for a few values, each value's first rows
  are read from it and merged (`merged`). A filter and a sort that go apart (a
  vendor's products by margin, where its margins lie far along the margin index) need
  such an index: without one, no plan below is quick once many match, and the planner
  read most of a million rows (0.9 to 1.3 s).
- More match, without such an index: they are looked for among the first
  ``PLAN_WALK`` rows in the page's order, which the sort's index lists (`walked`),
  checking the filters on each. A planner rarely picks that by itself: it reads every
  match of a price range and sorts them by description, 66,000 rows for a page of 50.
- Not among the first rows (the filter goes with the sort: a vendor's products by
  price, from the dearest, where its items are cheap), up to ``PLAN_SORT`` match: they
  are sorted, as few are. A planner walks the sort's index on, checking each row, and
  read most of a million products for 12,000 (600 ms against 30).
- More than ``PLAN_SORT`` match, and not among the first rows: the planner's own plan,
  which sorts all the matches. Sorting that many costs as much as reading the whole
  table: that is what `GridColumn.index_sorts` avoids.

Without an indexed filter, the planner plans, and the count comes after the page;
but a page sorted apart from the key needs to know how many match first:

- Up to ``PLAN_SORT`` by a column's bound (a search that listed what it found:
  `DescriptionSearch`) or by PostgreSQL's estimate (`matches_at_most`): every match is
  sorted and counted as it is (the total is exact). The sort stops at ``PLAN_SORT`` + 1
  matches, past which (an estimate can be short) the plan for many reads the page; but
  on PostgreSQL, for more than the count cap, the first ``PLAN_SEARCH_WALK`` rows in
  the page's order are looked at first, and then the sort has no cap.
- Else the matches are counted, up to the grid's count cap, in the table's order. Few
  are sorted. Many: on PostgreSQL, they are looked for among the first
  ``PLAN_SEARCH_WALK`` rows in the page's order, and else every match is sorted (a
  search's matches can lie anywhere along the sort's index); on SQLite, the planner's
  plan runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, union_all
from sqlalchemy import true as sql_true

from poser.models.data_extraction.grid_state import Filter, GridColumn, GridState

#: How many matches of a filter on an indexed column are counted to choose the plan.
PLAN_PROBE = 5_000
#: When more match, how many rows, first in the page's order, are searched for the page.
PLAN_WALK = 5_000
#: Up to how many matches are sorted when the first rows in order do not hold the page.
PLAN_SORT = 20_000
#: When many rows match a filter no index serves (a search), how many rows, first in
#: the page's order, are searched for the page on PostgreSQL before every match is
#: sorted: a tenth of a million products hold "organic", and the dearest 6,000 hold
#: a page of them.
PLAN_SEARCH_WALK = 10_000
#: Up to how many values of a paired filter are each read from the pair's index.
PLAN_MERGE = 12


def key_expression(
    base_select: Select[Any], expressions: Mapping[str, ColumnElement[Any]], key: str
) -> ColumnElement[Any]:
    if key in expressions:
        return expressions[key]
    if key in base_select.selected_columns:
        return base_select.selected_columns[key]
    raise ValueError(f"grid key {key!r} is not in the query")


def ordered(
    filtered: Select[Any], expressions: Mapping[str, ColumnElement[Any]], state: GridState, key: str
) -> Select[Any]:
    key_term = key_expression(filtered, expressions, key)
    if state.sort is None or state.sort not in expressions:
        return filtered.order_by(key_term)  # after the query's own order, if any
    sort = expressions[state.sort]
    # The key goes the same way as the sort so that one index can serve both.
    order = [sort.desc(), key_term.desc()] if state.descending else [sort, key_term]
    return filtered.order_by(None).order_by(*(order[:1] if state.sort == key else order))


def indexed_filter(columns: Sequence[GridColumn], state: GridState) -> bool:
    indexed = {column.name for column in columns if column.indexed}
    return any(f.column in indexed and f.op != "contains" for f in state.filters)


def paired_filter(columns: Sequence[GridColumn], state: GridState) -> Filter | None:
    """The filter whose matches an index lists in the page's order, value by value."""
    if state.sort is None:
        return None
    paired = {column.name for column in columns if state.sort in column.index_sorts}
    for item in state.filters:
        if item.column in paired and (
            item.op == "equals" or (item.op == "in" and 0 < len(item.value) <= PLAN_MERGE)
        ):
            return item
    return None


def merged(
    resolved: Select[Any],
    per_value: Sequence[Sequence[ColumnElement[bool]]],
    key: ColumnElement[Any],
    expressions: Mapping[str, ColumnElement[Any]],
    state: GridState,
    key_column: str,
    rows: int,
) -> Select[Any]:
    """The page's keys when a paired filter names several values (two departments):
    the first ``rows`` of each value's matches, each read in order from the pair's
    index, then merged. One index scan returns several values' matches value after
    value, not in the page's order, so a planner sorted them all (Dairy and Frozen by
    price, from the dearest: 400 ms)."""
    arms = []
    for conditions in per_value:
        arm = _in_order(resolved.where(*conditions), key, expressions, state, key_column)
        first = arm.limit(rows).subquery()
        arms.append(select(*first.c))
    return _keys_in_order(union_all(*arms).subquery(), state, key_column)


def sort_indexed(columns: Sequence[GridColumn], state: GridState, key_column: str) -> bool:
    """Whether an index reads the rows in the page's order (the key's, without a sort)."""
    if state.sort is None or state.sort == key_column:
        return True
    return any(column.name == state.sort and column.indexed for column in columns)


def sorted_apart(
    state: GridState, expressions: Mapping[str, ColumnElement[Any]], key_column: str
) -> bool:
    """Whether the page is sorted on a column other than the key."""
    return state.sort is not None and state.sort != key_column and state.sort in expressions


def sorted_matches(
    filtered: Select[Any],
    key: ColumnElement[Any],
    expressions: Mapping[str, ColumnElement[Any]],
    state: GridState,
    key_column: str,
    counted: int | None,
    *,
    counts: bool = False,
) -> Select[Any]:
    """The page's keys as the sort of every match (``counted`` of them, None when not
    known): a subquery finds the matches by the filter's index, and its LIMIT (never
    reached), or else an OFFSET 0, keeps a planner from merging it into the outer query
    and walking the sort's index instead.

    With ``counts``, each key comes with the number of matches (``row_total``), which
    the sort reads anyway; given ``counted``, a number past it says that only some of
    the matches were sorted."""
    selected = _selected(key, expressions, state, key_column)
    matches = filtered.with_only_columns(*selected).order_by(None)
    fenced = matches.offset(0) if counted is None else matches.limit(counted + 1)
    return _keys_in_order(fenced.subquery(), state, key_column, counts=counts)


def walked(
    resolved: Select[Any],
    conditions: Sequence[ColumnElement[bool]],
    key: ColumnElement[Any],
    expressions: Mapping[str, ColumnElement[Any]],
    state: GridState,
    key_column: str,
    walk: int,
) -> Select[Any]:
    """The page's keys among the first ``walk`` rows in the page's order: the sort's
    index lists those rows, and the filters are checked on each. It stops at ``walk``
    rows, so when the matches lie further on (the filter goes with the sort) it costs
    little before the planner's own plan is tried."""
    ok = and_(sql_true(), *conditions).label("row_ok")
    rows = _in_order(resolved, key, expressions, state, key_column, ok).limit(walk).subquery()
    return _keys_in_order(rows, state, key_column, rows.c.row_ok)


def _selected(
    key: ColumnElement[Any],
    expressions: Mapping[str, ColumnElement[Any]],
    state: GridState,
    key_column: str,
) -> list[ColumnElement[Any]]:
    selected = [key.label("row_key")]
    if sorted_apart(state, expressions, key_column):
        selected.append(expressions[state.sort].label("row_sort"))
    return selected


def _in_order(
    statement: Select[Any],
    key: ColumnElement[Any],
    expressions: Mapping[str, ColumnElement[Any]],
    state: GridState,
    key_column: str,
    *extra: ColumnElement[Any],
) -> Select[Any]:
    """The statement's key (and sort value, as `_selected`) in the page's order."""
    selected = statement.with_only_columns(*_selected(key, expressions, state, key_column), *extra)
    return ordered(selected, {**expressions, key_column: key}, state, key_column)


def _keys_in_order(
    subquery: Any,
    state: GridState,
    key_column: str,
    *where: ColumnElement[bool],
    counts: bool = False,
) -> Select[Any]:
    """The key of a subquery of `_selected` columns, in the page's order (and, with
    ``counts``, how many rows the subquery holds)."""
    by_name = {key_column: subquery.c.row_key}
    if "row_sort" in subquery.c and state.sort:
        by_name[state.sort] = subquery.c.row_sort
    total = [func.count().over().label("row_total")] if counts else []
    return ordered(select(subquery.c.row_key, *total).where(*where), by_name, state, key_column)
