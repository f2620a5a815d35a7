"""How the grid reads a page's keys (and counts them): the plain query, or other SQL.

The plain query is the page's keys, filtered, ``ORDER BY sort, key``, from a row on
(`grid`'s keyset) or from an OFFSET, ``LIMIT`` the page; the planner chooses how to
read it. The plans below are kept where, over a million products, they read the same
keys at least five times faster than the planner's choice. The table gives whole
requests, which also count the matches and draw the page (about 6 ms), from
bench/bench_grid.py with ``BENCH_GRID_PLAIN=1`` and without, back to back. "Few":
the filters match no more rows than `few_cap` (the grid's count cap; twice it on
PostgreSQL); "many": more.

| # | filter, sort | SQL instead | ms (SQLite): plain → plan |
|---|---|---|---|
| 1 | few; by a column, not the key | the matches sorted, fenced | brand by price: 191 → 8 |
| 2 | many; a range, not the sort's | ``(range) IS true`` | Dairy 2-5 by description: 64 → 6 |
| 3 | many; a choice of 2 to 12 | each value's first rows, merged | 2 departments by price: 420→6 |
| 4 | many; a lone search (by its column) | its `InOrder` arms (merged) | "organic" desc: 52 → 10 |

PostgreSQL counts to twice the cap (`FEW_PER_CAP`), so plan 1 also reads a search
found 10,000 to 20,000 times, and reads the first page of a search with the number of
its matches in one statement (`COUNTED_WITH_FIRST_PAGE`): "milk" by price, 16,029
matches of a million, 160 → 35 ms (the bench, p50).

1. The matches' keys and sort values are selected in a subquery whose LIMIT (the
   cap, never reached) keeps a planner from merging it into the outer query, which
   sorts them. SQLite's planner, from sampled statistics, takes a brand's 2,487
   products for many and walks the price index checking every product to them.
2. The same test, which no index serves, so the planner walks the sort's index and
   the page comes within its first rows; given the range's index, it reads every
   match of the range (a department's 80,000 priced 2 to 5) and sorts them.
3. An index returns a choice's matches value after value, not in the page's order, so
   the planner walks the price index checking each product, and these departments'
   products come late along it. Each value's arm is one range of the index of the
   choice's column and the sort's (Products has one for each sort), read in order.
4. A search's matches (a text that a tenth of the catalog holds) are dense, but where
   the text begins the sort's value ("Organic ..."), they come in one stretch far
   along the sort's index, which the planner walks from its end (350,000 rows of a
   million for the first page). A condition that can read its matches in its column's
   order (`InOrder`: Products' description words on SQLite) gives ranges of another
   index that together hold them: sorted by that column, the page is each range's
   first rows, merged without repeats (its keys: 31.5 ms → 0.05); by any sort, the
   count reads each range to the cap, where a LIKE finds 10,001 matches among 100,000
   rows (10.9 ms → 0.7).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, func, select, union, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from poser.models.data_extraction.grid_filters import conditions_of
from poser.models.data_extraction.grid_state import Filter, GridColumn, GridState

#: How many times a grid's count cap (its "10,000+") the filters may match on each
#: database and still be few: read by plan 1, their matches sorted. PostgreSQL sorts
#: the matches its trigram index finds for less than a walk of the sort's index that
#: meets them late ("milk" by price over a million products: 16,029 matches, sorted
#: in 19 ms, where the walk reads 395,000 rows in 74); counting them to twice the cap
#: costs it a few milliseconds more ("organic": 25 ms to 10,001, 32 to 20,001).
#: SQLite counts at twice the cost, and lists a search's matches from its own table.
FEW_PER_CAP = {"postgresql": 2}
#: Where the first page of a search (a "contains" filter) is read with the number of
#: its matches, in one statement (plan 1's, with ``count(*) OVER ()``), instead of a
#: count and then the page: PostgreSQL, where both read every match from the table, as
#: no index holds a "contains" exactly ("milk": 19 ms each; together, 23). A filter an
#: index answers is counted from the index for less than reading its matches to sort
#: them ("inactive" by brand: 19 ms against 42), and SQLite keeps the window's rows
#: apart, which costs it more than a second count.
COUNTED_WITH_FIRST_PAGE = frozenset({"postgresql"})
#: Up to how many values of a choice are each read apart and merged.
MERGE_VALUES = 12
_RANGES = ("min", "max", "from", "to")

#: A condition on (the sort's expression or None, the key's): a keyset seek.
Where = Callable[[Any, Any], ColumnElement[bool] | None]


class InOrder(ColumnElement[bool]):
    """A column's condition (what `GridColumn.condition` returns) that can also read its
    matches in the column's order, for plan 4: ``arms()`` gives selects of ``row_key``
    and ``row_sort`` whose rows together are the grid's rows that match (each once in
    an arm, and maybe in more than one arm), each read in that order from one range of
    an index; or None when it has none (then the grid reads ``condition`` as any
    other)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # what it holds is a condition: no "= 1" after it
    _traverse_internals = [("condition", InternalTraversal.dp_clauseelement)]

    def __init__(
        self, condition: ColumnElement[bool], arms: Callable[[], Sequence[Select[Any]] | None]
    ) -> None:
        self.condition = condition
        self.arms = arms


@compiles(InOrder)
def _in_order(element: InOrder, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.condition, **kw)


@dataclass
class Keys:
    """The filtered keys (``keyed``: ``key`` selected, from a statement that also knows
    ``sort``), read in an order from a condition on, by the plain query or a plan."""

    keyed: Select[Any]
    sort: Any
    key: Any
    arms: Sequence[Select[Any]] = ()  # a choice's values, each its keys and sort values
    overlapping: bool = False  # whether a row may be in more than one arm

    def first_counted(self, session: Session, descending: bool, limit: int) -> tuple[list, int]:
        """The first ``limit`` keys in the order (sort, key), and how many keys there
        are, in one statement."""
        terms = (self.sort, self.key)
        statement = self.keyed.add_columns(func.count().over())
        statement = statement.order_by(*(t.desc() if descending else t for t in terms))
        rows = session.execute(statement.limit(limit)).all()
        return [row[0] for row in rows], rows[0][1] if rows else 0

    def read(
        self,
        session: Session,
        where: Where,
        terms: Sequence[str],
        descending: bool,
        limit: int,
        offset: int = 0,
    ) -> list[Any]:
        """Up to ``limit`` keys past ``offset``, where ``where`` holds, ordered by
        ``terms`` ("sort", "key"), descending or not."""

        def ordered(statement: Select[Any], sort: Any, key: Any) -> Select[Any]:
            by = {"sort": sort, "key": key}
            return statement.order_by(*(by[t].desc() if descending else by[t] for t in terms))

        if not self.arms:
            condition = where(self.sort, self.key)
            statement = self.keyed if condition is None else self.keyed.where(condition)
            statement = ordered(statement, self.sort, self.key)
            return list(session.scalars(statement.offset(offset or None).limit(limit)))
        firsts = []
        for arm in self.arms:
            sort, key = arm.selected_columns.row_sort, arm.selected_columns.row_key
            condition = where(sort, key)
            arm = arm if condition is None else arm.where(condition)
            first = ordered(arm, sort, key).limit(offset + limit).subquery()
            firsts.append(select(*first.c))
        merged = (union if self.overlapping else union_all)(*firsts).subquery()
        statement = ordered(select(merged.c.row_key), merged.c.row_sort, merged.c.row_key)
        return list(session.scalars(statement.offset(offset or None).limit(limit)))


def lone_arms(state: GridState, conditions: Sequence[Any]) -> Sequence[Select[Any]] | None:
    """Plan 4's arms: those of the grid's one filter, when its condition reads its
    matches in order (`InOrder`); None otherwise."""
    if len(state.filters) == len(conditions) == 1 and isinstance(conditions[0], InOrder):
        return conditions[0].arms()
    return None


def count_arms(session: Session, arms: Sequence[Select[Any]], cap: int | None) -> tuple[int, bool]:
    """(how many rows the arms hold, each once, up to ``cap``; whether there are more).
    Each arm is read to ``cap`` + 1 rows at most: one cut short holds more than the
    cap by itself, and when none is, every row is counted. A lone arm holds each row
    once, so only several are counted without repeats (a lone word's 10,001 rows: 0.7
    ms, against 4.4 without repeats)."""
    if not arms:
        return 0, False
    firsts = [select(*(arm if cap is None else arm.limit(cap + 1)).subquery().c) for arm in arms]
    merged = union_all(*firsts).subquery()
    counted = merged.c.row_key.distinct() if len(arms) > 1 else merged.c.row_key
    count = session.scalar(select(func.count(counted))) or 0
    return (count, False) if cap is None else (min(count, cap), count > cap)


def few_cap(dialect: str, count_cap: int) -> int:
    """Up to how many matches the filters have that plan 1 reads (`FEW_PER_CAP`)."""
    return count_cap * FEW_PER_CAP.get(dialect, 1)


def page_keys(
    resolved: Select[Any],
    expressions: Mapping[str, ColumnElement[Any]],
    columns: Sequence[GridColumn],
    state: GridState,
    key: ColumnElement[Any],
    sort: ColumnElement[Any] | None,
    *,
    many: bool,
    cap: int,
    plans: bool = True,
) -> Keys:
    """How the page's keys are read, given whether the filters match ``many`` rows
    (more than ``cap``: the count's); ``sort`` is None when the key is the order."""
    conditions = conditions_of(expressions, columns, state)
    plain = Keys(resolved.with_only_columns(key).where(*conditions).order_by(None), sort, key)
    if not plans or sort is None or not state.filters:
        return plain
    if not many:
        found = resolved.with_only_columns(key.label("row_key"), sort.label("row_sort"))
        fenced = found.where(*conditions).order_by(None).limit(cap + 1).subquery()
        return Keys(select(fenced.c.row_key), fenced.c.row_sort, fenced.c.row_key)

    arms = lone_arms(state, conditions)
    if arms and state.filters[0].column == state.sort:
        return Keys(plain.keyed, sort, key, arms, overlapping=True)

    def fenced(item: Filter) -> bool:
        return item.op in _RANGES and item.column != state.sort

    choice = next(
        (f for f in state.filters if f.op == "in" and 1 < len(f.value) <= MERGE_VALUES), None
    )
    if choice is not None:
        arms = []
        for value in choice.value:
            one = Filter(choice.column, "in", (value,))
            narrowed = replace(
                state, filters=tuple(one if f is choice else f for f in state.filters)
            )
            arm = resolved.with_only_columns(key.label("row_key"), sort.label("row_sort"))
            arms.append(arm.where(*conditions_of(expressions, columns, narrowed, fenced)))
        return Keys(plain.keyed, sort, key, arms)
    if any(fenced(item) for item in state.filters):
        walked = conditions_of(expressions, columns, state, fenced)
        return Keys(resolved.with_only_columns(key).where(*walked).order_by(None), sort, key)
    return plain
