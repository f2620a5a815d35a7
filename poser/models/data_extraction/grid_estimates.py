"""How many rows a grid's filters match, known without counting them: a column's own
bound (`GridColumn.bound`), else the planner's estimate where the database tells it.

An estimate only chooses how a page is read (see `grid_plans`); the rows and the total
shown never depend on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement

from poser.models.data_extraction.grid_state import GridColumn, GridState


class Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON)`` of a statement, PostgreSQL's plan as one JSON value."""

    # Not cached: a cached statement's result is matched to its selected columns, and
    # a plan has none. Compiling it each time costs less than a millisecond.
    inherit_cache = False

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement


@compiles(Explain, "postgresql")
def _explain(element: Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


def planned_rows(session: Session, statement: Select[Any]) -> int | None:
    """The rows PostgreSQL's planner expects the statement to return (it plans, and
    runs nothing: a millisecond); None on another database."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    plan = session.execute(Explain(statement)).scalar_one()
    return int(plan[0]["Plan"]["Plan Rows"])


def matches_at_most(
    session: Session, columns: Sequence[GridColumn], state: GridState, statement: Select[Any]
) -> int | None:
    """At most (or, from a planner, about) how many rows the state's filters match:
    the least of the filters' columns' bounds, else the planner's estimate for
    ``statement`` (the filtered rows), else None (not known)."""
    bounds = {column.name: column.bound for column in columns if column.bound is not None}
    known = [bounds[item.column](item) for item in state.filters if item.column in bounds]
    found = [bound for bound in known if bound is not None]
    if found:
        return min(found)
    return planned_rows(session, statement)
