"""The grid engine: filter, sort, page, count and stream the rows of any query.

A Grid widget shows what these functions return, and downloads read through them, so a
download holds exactly the rows the operator filtered. Nothing here knows requests or
HTML; a grid's state comes from `grid_state.parse_grid_state`.

Totals: an exact count of a million filtered rows costs a scan of them all, on every
page view. The count therefore stops at ``count_cap`` + 1 rows (``SELECT count(*) FROM
(SELECT key ... LIMIT cap + 1)``): below the cap the total is exact; above it the grid
shows "1,000+" and has no last page. A filter no index serves (a text search, say)
makes the count read cap / (the share of rows that match) rows: a tenth of the rows
match "organic", so 10,000 rows from a cap of 1,000, and ten times that from 10,000,
which took longer than the page itself. Whether a next page exists is always exact,
because the page query reads one row more than it shows; and on the last page the total
is exact at any size (it is the rows before it plus the rows on it), with no count at
all; nor is there one on a page past the cap, which already knows there are more.

A page is read in two steps: the keys of its rows (filtered, sorted, offset, limited),
then those rows. Only the first step reads many rows, and it selects nothing but the key:
an index that holds the filtered and sorted columns answers it alone, and the query's
other columns (joins, computed values) are worked out for the page's rows only.

Sorting always ends with the key column, so rows that tie keep one order and no row is
shown on two pages or on none.

Which plan reads the keys depends, for a filter on an indexed column, on how many rows
match: `grid_plans` counts them first and chooses. Such a count is exact up to
``PLAN_SORT`` rows, past the count cap: "12,487" rather than "1,000+". So is a page that
sorts every match of another filter, which counts them as it sorts (`grid_estimates`
tells when they are few enough).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy import RowMapping, Select
from sqlalchemy.orm import Session

from poser.models.data_extraction.grid_counts import (
    COUNT_CAP,
    count_all,
    count_capped,
    count_in_table_order,
)
from poser.models.data_extraction.grid_estimates import matches_at_most
from poser.models.data_extraction.grid_filters import (
    conditions_of,
    filtered_select,
    one_of,
    resolve_columns,
)
from poser.models.data_extraction.grid_plans import (
    PLAN_PROBE,
    PLAN_SEARCH_WALK,
    PLAN_SORT,
    PLAN_WALK,
    indexed_filter,
    key_expression,
    merged,
    ordered,
    paired_filter,
    sort_indexed,
    sorted_apart,
    sorted_matches,
    walked,
)
from poser.models.data_extraction.grid_state import (
    COLUMN_TYPES,
    DEFAULT_PAGE_SIZE,
    Filter,
    GridColumn,
    GridState,
    as_int,
    clean_text,
    format_value,
    parse_grid_state,
    parse_value,
)

__all__ = [
    "COLUMN_TYPES",
    "COUNT_CAP",
    "DEFAULT_PAGE_SIZE",
    "PLAN_PROBE",
    "PLAN_SORT",
    "PLAN_WALK",
    "Filter",
    "GridColumn",
    "GridPage",
    "GridState",
    "clean_text",
    "count_capped",
    "filtered_select",
    "format_value",
    "grid_page",
    "grid_rows",
    "parse_grid_state",
    "parse_value",
    "resolve_columns",
    "rows_by_key",
]


@dataclass(frozen=True)
class GridPage:
    rows: list[RowMapping]
    total: int
    total_is_capped: bool
    page: int
    page_size: int
    has_next: bool

    @property
    def pages(self) -> int | None:
        """How many pages there are; None when the total is capped (not known)."""
        return None if self.total_is_capped else max(1, ceil(self.total / self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def first(self) -> int:
        """The 1-based number of the first row shown; 0 when none is."""
        return (self.page - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.page_size + len(self.rows)


@dataclass
class _Plan:
    """How a page's keys are read: ``keys``, a statement, after the first ``walk`` rows
    in the page's order (0: none) when those do not hold the page. With ``counts``,
    ``keys`` sorts the matches and counts them (`sorted_matches`): every one, or up to
    ``cap``, past which ``instead`` reads the page."""

    keys: Select[Any]
    walk: int = 0
    counts: bool = False
    cap: int | None = None
    instead: _Plan | None = None


def grid_page(
    session: Session,
    base_select: Select[Any],
    columns: Sequence[GridColumn],
    state: GridState,
    key_column: str,
    *,
    count_cap: int = COUNT_CAP,
    probe: int = PLAN_PROBE,
    walk: int = PLAN_WALK,
    sort_cap: int = PLAN_SORT,
    search_walk: int = PLAN_SEARCH_WALK,
) -> GridPage:
    """One page of the filtered, sorted rows; a page past the end becomes the last.

    The page is read first: when it is the last one, its rows tell the total and the
    count is skipped. That is when counting is dearest (few rows match, so the count
    scans them all) and cheapest to avoid. A filter on an indexed column is counted
    before, up to ``sort_cap`` rows, to choose the plan (see `grid_plans`); so are other
    filters, up to ``count_cap``, when the page is sorted on a column other than the
    key, unless their number is known without counting (`matches_at_most`). ``probe=0``
    turns all that off: the plain plan.
    """
    resolved, expressions = resolve_columns(base_select, columns)
    postgresql = session.get_bind().dialect.name == "postgresql"
    conditions = conditions_of(expressions, columns, state)
    filtered = resolved.where(*conditions)
    key = key_expression(filtered, expressions, key_column)
    plan = _Plan(ordered(filtered.with_only_columns(key), expressions, state, key_column))
    size = state.page_size
    known: int | None = None  # the exact number of rows, when counted before the page
    more_than: int | None = None  # a number of rows the filters are known to exceed
    if probe > 0 and indexed_filter(columns, state):
        pair = paired_filter(columns, state)
        matches, many = count_capped(session, filtered, max(probe, sort_cap), key)
        if not many:
            known = matches
        # Past the probe, an index for the filter and the sort reads the page (each of
        # a few values' first rows, merged). Without one, the first rows in the page's
        # order may hold it; if they do not, every match is sorted, up to the sort cap,
        # as when few match.
        walks = not pair and (many or matches > probe) and sort_indexed(columns, state, key_column)
        plan.walk = walk if walks else 0
        if many or (pair and matches > probe):
            more_than = matches if many else None
            # Should neither find the page (the filter goes with the sort), the planner
            # chooses. Given a range, it picks the index that serves both it and an
            # equality filter, and sorts all their matches, over one that serves the
            # equality and reads in the page's order: tens of milliseconds against
            # one. A range on another column than the sort's is therefore kept from
            # any index; so it is from a pair's.
            loose = conditions_of(expressions, columns, state, unindexed_ranges=True)
            plan.keys = ordered(
                resolved.where(*loose).with_only_columns(key), expressions, state, key_column
            )
            values = dict.fromkeys(pair.value if pair and pair.op == "in" else ())
            if pair and len(values) > 1:  # each value once: the arms' rows must not overlap
                per_value = [
                    conditions_of(
                        expressions, columns, one_of(state, pair, value), unindexed_ranges=True
                    )
                    for value in values
                ]
                plan.keys = merged(
                    resolved, per_value, key, expressions, state, key_column, state.page * size + 1
                )
        else:
            plan.keys = sorted_matches(filtered, key, expressions, state, key_column, matches)
    elif probe > 0 and state.filters and sorted_apart(state, expressions, key_column):
        # No index finds the matches in the page's order, which is not the table's:
        # read first, the page would walk the sort's index checking every row, all of
        # them when few match (a search that finds nothing, by price: 1.2 s on
        # PostgreSQL, 1.7 on SQLite, over a million products). Many: on SQLite, the
        # planner's plan, which stops at the page (a search's matches are listed when
        # it may not: `DescriptionSearch`). PostgreSQL's planner walks the sort's index
        # checking every row, as if the matches were spread evenly; but a search's can
        # lie far along it ("milk" by price from the dearest: 395,000 products read,
        # 900 ms). So it reads the first rows in the page's order, and when they do not
        # hold the page, sorts every match, found by the filter's own index where it
        # has one (a search's trigram index: 100 ms).
        indexed_sort = sort_indexed(columns, state, key_column)
        walk_first = postgresql and indexed_sort
        walk_rows = search_walk if walk_first else 0
        many_keys = plan.keys
        if walk_first:
            many_keys = sorted_matches(filtered, key, expressions, state, key_column, None)
        matching = filtered.with_only_columns(key).order_by(None)
        at_most = matches_at_most(session, columns, state, matching) if sort_cap > 0 else None
        few, sortable = (
            (False, False) if at_most is None else (at_most <= count_cap, at_most <= sort_cap)
        )
        if sortable and (few or walk_first or not indexed_sort):
            # Few enough to sort (by a column's bound, or PostgreSQL's estimate): the
            # sort counts them too, so no count runs first. Past the count cap, on
            # PostgreSQL, after the first rows in order, which often hold the page (an
            # estimate can be ten times short): then every match is sorted and counted
            # in one pass, the total exact however short the estimate was ("honey",
            # estimated 1,090, is found 27,648 times). Else, past the sort cap, the sort
            # stops short and the plan for many reads the page: SQLite's planner, given
            # a listed search's many matches, reads it as quickly.
            if few or not walk_first:
                counting = sorted_matches(
                    filtered, key, expressions, state, key_column, sort_cap, counts=True
                )
                instead = _Plan(many_keys, walk=walk_rows)
                plan = _Plan(counting, counts=True, cap=sort_cap, instead=instead)
            else:
                every = sorted_matches(
                    filtered, key, expressions, state, key_column, None, counts=True
                )
                plan = _Plan(every, walk=walk_rows, counts=True)
        else:
            # The table-order count, a scan that stops at the cap, tells few from many.
            matches, many = count_in_table_order(session, plan.keys, key, count_cap)
            if many:
                more_than = matches
                plan = _Plan(many_keys, walk=walk_rows)
            else:
                known = matches
                plan.keys = sorted_matches(filtered, key, expressions, state, key_column, matches)

    counted: int | None = None  # the matches' number, when the page's statement counts them

    def paged(statement: Select[Any], page: int) -> Select[Any]:
        return statement.limit(size + 1).offset((page - 1) * size)

    def keys_of(statement: Select[Any], page: int) -> Sequence[Any]:
        return session.scalars(paged(statement, page)).all()

    def read(page: int) -> list[RowMapping]:
        nonlocal plan, more_than, counted
        keys: Sequence[Any] = ()
        if plan.walk and page * size < plan.walk:
            first = walked(resolved, conditions, key, expressions, state, key_column, plan.walk)
            keys = keys_of(first, page)
        if len(keys) <= size and plan.counts:
            found = session.execute(paged(plan.keys, page)).all()
            cap = plan.cap
            if found:
                total = found[0].row_total
                over = cap is not None and total > cap
            elif page > 1 and cap is not None:  # past the end, or past what was sorted
                total, over = count_capped(session, filtered, cap, key)
            elif page > 1:
                total, over = count_all(session, filtered, key), False
            else:
                total, over = 0, False
            if over and plan.instead is not None:  # only some were sorted
                more_than, plan = cap, plan.instead
                return read(page)
            counted = total
            keys = [row.row_key for row in found]
        elif len(keys) <= size:
            keys = keys_of(plan.keys, page)
        if not keys:
            return []
        # Without the filters again: given them, a planner may pick a filter's index
        # and scan it for the keys, rather than look the keys up.
        by_key = resolved.where(key.in_(keys))
        found_rows = {row[key_column]: row for row in session.execute(by_key).mappings()}
        return [found_rows[value] for value in keys if value in found_rows]

    page = state.page if known is None else min(state.page, max(1, ceil(known / size)))
    rows = read(page) if known != 0 else []
    seen = (page - 1) * size + min(len(rows), size)
    if known is not None:
        total, capped = known, False
    elif counted is not None:
        total, capped = counted, False
        if not rows and page > 1:  # a page past the end: the last one
            page = max(1, ceil(total / size))
            rows = read(page) if total else []
    elif 0 < len(rows) <= size or (page == 1 and not rows):
        total, capped = (page - 1) * size + len(rows), False
    elif more_than is not None and rows:
        total, capped = max(seen, more_than), True
    elif rows and seen >= count_cap:
        # Past the cap, a count could only say "more than the cap": the rows say more.
        total, capped = seen, True
    elif more_than is not None:
        # A page past the end of more matches than were counted: only their number
        # finds the last page. An address typed or kept; rare enough to count them all.
        total, capped = count_all(session, filtered, key), False
        page = max(1, ceil(total / size))
        rows = read(page) if total else []
    else:
        # The filters' rows, however the page's keys were read (a merge of each value's
        # first rows holds only those).
        matching = filtered.with_only_columns(key)
        total, capped = count_in_table_order(session, matching, key, count_cap)
        if not rows and not capped:
            page = max(1, ceil(total / size))
            rows = read(page)
    return GridPage(rows[:size], total, capped, page, size, has_next=len(rows) > size)


def grid_rows(
    session: Session,
    base_select: Select[Any],
    columns: Sequence[GridColumn],
    state: GridState,
    key_column: str,
    batch: int = 5000,
) -> Iterator[tuple[Any, ...]]:
    """Every filtered row in the state's order, as tuples of the visible columns' values,
    fetched ``batch`` rows at a time (a server-side cursor on PostgreSQL).

    The statement is built at the call, the rows read as they are asked for: a column's
    condition may read the request's own session (a search's matches, vendor codes),
    and a download streams its rows after the request's transaction has ended, through
    a session of its own (``session``).
    """
    filtered, expressions = filtered_select(base_select, columns, state)
    statement = ordered(filtered, expressions, state, key_column)
    names = state.columns or tuple(column.name for column in columns if column.visible)
    return _streamed(session, statement.execution_options(yield_per=batch), names)


def _streamed(
    session: Session, statement: Select[Any], names: Sequence[str]
) -> Iterator[tuple[Any, ...]]:
    result = session.execute(statement).mappings()
    try:
        for row in result:
            yield tuple(row[name] for name in names)
    finally:
        result.close()


def rows_by_key(
    session: Session,
    base_select: Select[Any],
    columns: Sequence[GridColumn],
    key_column: str,
    keys: Iterable[str],
) -> dict[str, RowMapping]:
    """The query's rows with these keys (as text, from a form), by key as text. A key
    that is not in the query (another data set's row, a deleted one) is left out."""
    base_select, expressions = resolve_columns(base_select, columns)
    key_of = key_expression(base_select, expressions, key_column)
    try:
        integer = key_of.type.python_type is int
    except NotImplementedError:
        integer = False
    typed = [as_int(key) if integer else key for key in keys]
    typed = [key for key in typed if key is not None]
    if not typed:
        return {}
    rows = session.execute(base_select.where(key_of.in_(typed))).mappings()
    return {str(row[key_column]): row for row in rows}
