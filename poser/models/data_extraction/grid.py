"""The grid engine: filter, sort, page, count and stream the rows of any query.

A Grid widget shows what these functions return, and downloads read through them, so a
download holds exactly the rows the operator filtered. Nothing here knows requests or
HTML; a grid's state comes from its URL (`poser.apps.widgets.grid_text`).

The order is the sort's column, then the key (the base query's own ORDER BY is
dropped), both the same way, so rows that tie keep one order and one index (sort
column, key) reads them. Pages go by keyset: a link to the next page names the key of
the last row shown (``after``), one to the previous page the first (``before``), and
the page is read from that row on in the order, ``WHERE (sort, key) > (its values)``,
where the database starts in the sort's index at that row, however deep: no OFFSET.
NULLs have no place in such a comparison, so a seek that reaches them reads them apart
(``sort IS NULL``, by key), at whichever end the database sorts them. The last page is
read backwards from the end. A page typed by number alone is read by OFFSET.

A page is read in two steps: the keys of its rows, then those rows. Only the first reads
many rows, and selects nothing but the key (an index answers it alone); the query's
other columns (joins, computed values) are worked out for the page's rows only.

The total is one count that stops at ``count_cap`` + 1 rows: exact up to the cap,
"10,000+" past it (then there is no last page, and the rows shown may tell more). Which
SQL reads the keys is the database planner's choice, but for the shapes `grid_plans`
lists, where it measurably chooses badly.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Select, and_, func, select, tuple_
from sqlalchemy.orm import Session

from poser.models.data_extraction.grid_filters import (
    conditions_of,
    filtered_select,
    resolve_columns,
)
from poser.models.data_extraction.grid_plans import (
    COUNTED_WITH_FIRST_PAGE,
    Keys,
    count_arms,
    few_cap,
    lone_arms,
    page_keys,
)
from poser.models.data_extraction.grid_state import GridColumn, GridState
from poser.utils.numbers import as_int

#: Up to how many rows a grid counts its filters' matches ("10,000+" past it).
COUNT_CAP = 10_000


@dataclass(frozen=True)
class GridPage:
    rows: list[RowMapping]
    total: int
    total_is_capped: bool
    page: int
    page_size: int
    has_next: bool
    #: The state that reads this page again; and its first and last rows' keys, as text.
    state: GridState
    first_key: str | None = None
    last_key: str | None = None

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

    def link(self, to: str) -> GridState | None:
        """The state of the page ``to`` ("first", "previous", "next", "last"), or None
        when there is none to go to."""
        if to == "next":
            return self.state.at(self.page + 1, after=self.last_key) if self.has_next else None
        if to == "last":
            pages = self.pages
            return self.state.at(0) if pages and self.page < pages else None
        if not self.has_previous:
            return None
        if to == "previous" and self.page > 2:
            return self.state.at(self.page - 1, before=self.first_key)
        return self.state.at(1)


def grid_page(
    session: Session,
    base_select: Select[Any],
    columns: Sequence[GridColumn],
    state: GridState,
    key_column: str,
    *,
    count_cap: int = COUNT_CAP,
    plans: bool = True,
) -> GridPage:
    """One page of the filtered, sorted rows; a page past the end becomes the last.
    ``plans=False`` reads the keys by the plain query only (see `grid_plans`)."""
    resolved, expressions = resolve_columns(base_select, columns)
    key = key_expression(resolved, expressions, key_column)
    sort = expressions[state.sort] if state.sort not in (None, key_column) else None
    conditions = conditions_of(expressions, columns, state)
    keyed = resolved.with_only_columns(key).where(*conditions)
    dialect = session.get_bind().dialect.name
    # The count goes as far as the plans need to tell few matches from many (a sort and
    # filters: plan 1), and shows up to count_cap of them.
    planned = plans and sort is not None and bool(state.filters)
    few = few_cap(dialect, count_cap) if planned else count_cap
    size = state.page_size
    keys: Keys | None = None
    found: list[Any] | None = None
    first = state.page == 1 and not (state.after or state.before or state.last)
    searched = any(item.op == "contains" for item in state.filters)
    if planned and first and searched and dialect in COUNTED_WITH_FIRST_PAGE:
        keys = page_keys(
            resolved, expressions, columns, state, key, sort, many=False, cap=few, plans=plans
        )
        found, counted = keys.first_counted(session, state.descending, size + 1)
        total, more = min(counted, few), counted > few
        if more:  # many, after all: read by their plan
            keys, found = None, None
    else:
        arms = lone_arms(state, conditions) if plans else None  # plan 4 counts its arms
        cap = None if state.last else few
        total, more = (
            count_arms(session, arms, cap)
            if arms is not None
            else count_capped(session, keyed.order_by(None), cap)
        )
    many = more or total > few
    capped = more or (not state.last and total > count_cap)
    total = total if state.last else min(total, count_cap)
    if keys is None:
        keys = page_keys(
            resolved, expressions, columns, state, key, sort, many=many, cap=few, plans=plans
        )
    order = _Order(session, keys, state.descending, sort is not None)
    mark = order.mark(resolved, key, sort, state.after or state.before) if state.page > 1 else None
    page, at = state.page, state
    read_with_count = found is not None  # the first page, with the count
    found = found or []
    if mark is not None and state.after is not None:
        found = order.seek(mark, size + 1, backwards=False)
    elif mark is not None:
        found = order.seek(mark, size, backwards=True)
        if len(found) == size:
            found.append(mark[1])  # the row after the page: there is a next page
        else:
            mark, page, found = None, 1, []  # the start comes first: page 1
    if mark is None and not state.last:  # by number: an OFFSET
        at = state.at(page)
        found = found if read_with_count else order.offset((page - 1) * size, size + 1)
    has_next = len(found) > size
    if state.last or (not found and page > 1 and not capped):
        # The last page (asked for, or past the end): the rows after the other pages.
        page, at = max(1, ceil(total / size)), state.at(0)
        found, has_next = order.seek(None, total - (page - 1) * size, backwards=True), False
    if capped and found:  # past the cap, the rows shown tell more than the count
        total = max(total, (page - 1) * size + min(len(found), size))
        capped = has_next  # on the last page they tell how many there are
    rows = _rows_of(session, resolved, key, key_column, found[:size])
    texts = [str(row[key_column]) for row in rows]
    return GridPage(
        rows,
        total,
        capped,
        page,
        size,
        has_next,
        state=at,
        first_key=texts[0] if texts else None,
        last_key=texts[-1] if texts else None,
    )


class _Order:
    """A page's keys in the grid's order (by sort, then key, both descending or not),
    from the start, an OFFSET, or a row on (keyset). The sort's NULLs go where the
    database puts them: above every value on PostgreSQL, below on SQLite."""

    def __init__(self, session: Session, keys: Keys, descending: bool, sorted_: bool) -> None:
        self.session, self.keys, self.descending = session, keys, descending
        self.terms = ("sort", "key") if sorted_ else ("key",)
        self.nulls_high = session.get_bind().dialect.name == "postgresql"

    def offset(self, start: int, limit: int) -> list[Any]:
        return self.keys.read(self.session, _nothing, self.terms, self.descending, limit, start)

    def mark(
        self, resolved: Select[Any], key: Any, sort: Any, text: str | None
    ) -> tuple[Any, Any] | None:
        """(the sort's value, the key) of the row whose key is ``text``; None when the
        query has no such row (deleted, another data set's, not a key)."""
        typed = _typed_keys(key, [text] if text else [])
        if not typed:
            return None
        found = resolved.with_only_columns(key if sort is None else sort, key)
        row = self.session.execute(found.where(key == typed[0]).order_by(None)).first()
        return None if row is None else (row[0], row[1])

    def seek(self, mark: tuple[Any, Any] | None, limit: int, *, backwards: bool) -> list[Any]:
        """Up to ``limit`` keys after ``mark`` in the order (from the start without
        one), or ``backwards`` the ones before it (from the end), in the order."""
        descending = self.descending != backwards
        beyond = operator.lt if descending else operator.gt
        nulls_last = self.nulls_high != descending
        value, at = mark or (None, None)
        parts: list[tuple[Any, tuple[str, ...]]]
        if mark is None:
            parts = [(_nothing, self.terms)]
        elif self.terms == ("key",):
            parts = [(lambda s, k: beyond(k, at), ("key",))]
        elif value is None:  # among the NULLs: the rest of them, then any values
            parts = [(lambda s, k: and_(s.is_(None), beyond(k, at)), ("key",))]
            parts += [] if nulls_last else [(lambda s, k: s.is_not(None), self.terms)]
        else:
            parts = [(lambda s, k: beyond(tuple_(s, k), tuple_(value, at)), self.terms)]
            parts += [(lambda s, k: s.is_(None), ("key",))] if nulls_last else []
        found: list[Any] = []
        for where, terms in parts:
            if len(found) < limit:
                read = self.keys.read(self.session, where, terms, descending, limit - len(found))
                found += read
        return found[::-1] if backwards else found


def _nothing(sort: Any, key: Any) -> None:
    return None


def count_capped(session: Session, keyed: Select[Any], cap: int | None) -> tuple[int, bool]:
    """(the number of rows of ``keyed``, up to ``cap``; whether there are more)."""
    limited = keyed if cap is None else keyed.limit(cap + 1)
    count = session.scalar(select(func.count()).select_from(limited.subquery())) or 0
    return (count, False) if cap is None else (min(count, cap), count > cap)


def count_rows(
    session: Session,
    base_select: Select[Any],
    columns: Sequence[GridColumn],
    state: GridState,
    key_column: str,
) -> int:
    """How many rows match the state's filters, every one counted (no cap): what an
    operator asks for past the cap ("Count all")."""
    resolved, expressions = resolve_columns(base_select, columns)
    key = key_expression(resolved, expressions, key_column)
    keyed = resolved.with_only_columns(key).where(*conditions_of(expressions, columns, state))
    return count_capped(session, keyed.order_by(None), None)[0]


def _rows_of(
    session: Session, resolved: Select[Any], key: ColumnElement[Any], key_column: str, keys: list
) -> list[RowMapping]:
    """The rows of these keys, in their order. Looked up by key, without the filters:
    given them, a planner may scan a filter's index rather than look the keys up."""
    if not keys:
        return []
    found = {
        row[key_column]: row for row in session.execute(resolved.where(key.in_(keys))).mappings()
    }
    return [found[value] for value in keys if value in found]


def key_expression(
    base_select: Select[Any], expressions: dict[str, ColumnElement[Any]], key: str
) -> ColumnElement[Any]:
    if key in expressions:
        return expressions[key]
    if key in base_select.selected_columns:
        return base_select.selected_columns[key]
    raise ValueError(f"grid key {key!r} is not in the query")


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
    condition may read the request's own session (vendor codes), and a download
    streams its rows after the request's transaction has ended, through a session of
    its own (``session``).
    """
    filtered, expressions = filtered_select(base_select, columns, state)
    key = key_expression(filtered, expressions, key_column)
    sort = expressions[state.sort] if state.sort not in (None, key_column) else None
    terms = (key,) if sort is None else (sort, key)
    statement = filtered.order_by(None).order_by(
        *(term.desc() if state.descending else term for term in terms)
    )
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


def _typed_keys(key: ColumnElement[Any], texts: Iterable[str]) -> list[Any]:
    """Keys as text (a URL's, a form's) as the key column's values; bad ones left out."""
    try:
        integer = key.type.python_type is int
    except NotImplementedError:
        integer = False
    typed = [as_int(text) if integer else text for text in texts]
    return [value for value in typed if value is not None]


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
    key = key_expression(base_select, expressions, key_column)
    typed = _typed_keys(key, keys)
    if not typed:
        return {}
    rows = session.execute(base_select.where(key.in_(typed))).mappings()
    return {str(row[key_column]): row for row in rows}
