"""A grid's filters as SQL: each column's expression in the query, and the conditions
a grid's state asks for (a column's own `GridColumn.condition` first)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Boolean, ColumnElement, DateTime, Select, false
from sqlalchemy import true as sql_true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator

from poser.models.data_extraction.grid_state import Filter, GridColumn, GridState


def resolve_columns(
    base_select: Select[Any], columns: Sequence[GridColumn]
) -> tuple[Select[Any], dict[str, ColumnElement[Any]]]:
    """The select with every grid column in it, and each column's expression by name."""
    selected = base_select.selected_columns
    expressions: dict[str, ColumnElement[Any]] = {}
    for column in columns:
        if column.expression is not None:
            expressions[column.name] = column.expression
            if column.name not in selected:
                base_select = base_select.add_columns(column.expression.label(column.name))
        elif column.name in selected:
            # A label renders as its expression in WHERE and as its name in ORDER BY.
            expressions[column.name] = selected[column.name]
        else:
            raise ValueError(f"grid column {column.name!r} is not in the query")
    return base_select, expressions


def filtered_select(
    base_select: Select[Any], columns: Sequence[GridColumn], state: GridState
) -> tuple[Select[Any], dict[str, ColumnElement[Any]]]:
    base_select, expressions = resolve_columns(base_select, columns)
    return base_select.where(*conditions_of(expressions, columns, state)), expressions


def conditions_of(
    expressions: Mapping[str, ColumnElement[Any]],
    columns: Sequence[GridColumn],
    state: GridState,
    fenced: Callable[[Filter], bool] | None = None,
) -> list[ColumnElement[bool]]:
    """The state's filters as conditions on the columns' expressions; those ``fenced``
    picks are written ``(...) IS true``, the same test, which no index serves."""
    own = {column.name: column.condition for column in columns if column.condition}
    conditions = []
    for item in state.filters:
        if item.column in expressions:
            condition = own[item.column](item) if item.column in own else None
            if condition is None:
                condition = _condition(expressions[item.column], item)
            conditions.append(condition.is_(sql_true()) if fenced and fenced(item) else condition)
    return conditions


def _condition(expression: ColumnElement[Any], item: Filter) -> ColumnElement[bool]:
    value = item.value
    if item.op == "contains":
        return ContainsText(expression, value)
    if item.op == "equals":
        return expression == value
    if item.op == "min":
        return expression >= value
    if item.op == "max":
        return expression <= value
    if item.op == "is":
        return expression.is_(sql_true() if value else false())
    if item.op == "from":
        return expression >= _day_start(expression, value)
    if item.op == "to":
        return expression < _day_start(expression, value + timedelta(days=1))
    return expression.in_(value)


def _day_start(expression: ColumnElement[Any], day: date) -> date | datetime:
    """A date, or for a timestamp column that day's midnight: timezone-aware UTC for a
    TypeDecorator (Poser's UTCDateTime) or a timezone column, naive otherwise."""
    sql_type = expression.type
    impl = sql_type.impl if isinstance(sql_type, TypeDecorator) else sql_type
    if not isinstance(impl, DateTime):
        return day
    aware = isinstance(sql_type, TypeDecorator) or bool(impl.timezone)
    return datetime.combine(day, time.min, tzinfo=UTC if aware else None)


class ContainsText(ColumnElement[bool]):
    """``expression`` holds ``text``, whatever the case of any letter (a grid's
    "contains"): ILIKE, but on SQLite, whose lower() and LIKE fold ASCII letters only, a
    plain LIKE (without a lower() per row, which costs more than the match: "organic" by
    description over a million products, 140 ms against 51), or for a text with other
    letters that have cases a GLOB with a class of cases per letter (``[Éé]``)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a LIKE: no "= 1" after it where booleans are numbers
    _traverse_internals = [
        ("any_case", InternalTraversal.dp_clauseelement),
        ("like", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, expression: ColumnElement[Any], text: str) -> None:
        self.any_case = expression.icontains(text, autoescape=True)
        if folds_as_ascii(text):
            self.like = expression.contains(text, autoescape=True)
        else:
            self.like = expression.op("GLOB", is_comparison=True)(any_case_glob(text))


def letter_cases(char: str) -> list[str]:
    """The one-character cases of ``char`` (itself alone when it has none)."""
    return sorted(
        {case for case in (char, char.lower(), char.upper(), char.title()) if len(case) == 1}
    )


def any_case_glob(text: str) -> str:
    """A GLOB pattern for "holds ``text``, whatever the case of each letter": a letter
    becomes a class of its one-character cases, and GLOB's own wildcards (* ? [) a class
    of themselves."""
    parts = []
    for char in text:
        cases = letter_cases(char)
        if len(cases) > 1:
            parts.append("[" + "".join(cases) + "]")
        elif char in "*?[":
            parts.append(f"[{char}]")
        else:
            parts.append(char)
    return "*" + "".join(parts) + "*"


def folds_as_ascii(text: str) -> bool:
    """Whether every letter of ``text`` that has cases is an ASCII one: then folding the
    ASCII letters alone (SQLite's LIKE, PostgreSQL's lower() under the "C" collation)
    ignores every case the text can differ by."""
    return all(char.isascii() or len(letter_cases(char)) == 1 for char in text)


@compiles(ContainsText)
def _contains_text(element: ContainsText, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.any_case, **kw)


@compiles(ContainsText, "sqlite")
def _contains_text_sqlite(element: ContainsText, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.like, **kw)
