"""A grid's state and its columns' values as text, and back: the URL of a grid's page,
and the inputs of its filters and edit form.

A grid's state (page, page size, sort, filters, visible columns) lives in the URL, so
every view of a grid is a link to share. `parse_grid_state` reads it from a plain
mapping of query parameters and never fails: a bad value is ignored, a number out of
range is clamped, so no URL a person can type leads to an error page.

URL parameters, each after the grid's prefix (``products.``): ``page`` (a number, or
``last``) with ``after`` or ``before`` (the key of the row just before or just after
the page: see `poser.models.data_extraction.grid`), ``size``, ``sort`` (a column name,
``-`` before it for descending), ``cols`` (visible columns, comma-separated or
repeated), and per filterable column ``<name>.q`` with ``<name>.match`` (contains or
equals) for text, ``<name>.min``/``.max`` for numbers, ``<name>.is`` (yes or no) for
booleans, ``<name>.from``/``.to`` for dates and ``<name>.in`` (repeated) for choices.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Numeric

from poser.models.data_extraction.grid_state import DEFAULT_PAGE_SIZE, Filter, GridColumn, GridState
from poser.utils.numbers import as_int

#: The filter parameters of each column type: ``<column>.<parameter>`` in a URL.
FILTER_PARAMETERS = {
    "str": ("q", "match"),
    "int": ("min", "max"),
    "decimal": ("min", "max"),
    "bool": ("is",),
    "date": ("from", "to"),
    "choice": ("in",),
}
TEXT_MATCHES = ("contains", "equals")
MAX_PAGE_SIZE = 500
#: A page typed by number (no ``after``) is read by OFFSET: deeper ones read most of a
#: million rows, and nobody pages there by hand.
MAX_PAGE = 100_000
MAX_TEXT = 200
# ASCII digits only: Python's Decimal() also reads other scripts' digits (٣ is 3).
_DECIMAL = re.compile(r"[+-]?(\d{1,30}(\.\d{0,20})?|\.\d{1,20})\Z", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)
_YES = ("yes", "true", "1", "on")
_NO = ("no", "false", "0", "off")


def parse_grid_state(
    params: Mapping[str, Any],
    columns: Sequence[GridColumn],
    *,
    prefix: str = "",
    page_size: int = DEFAULT_PAGE_SIZE,
) -> GridState:
    """The state in ``params`` (a request's GET, a dict of str or lists of str)."""

    def values(key: str) -> list[str]:
        getall = getattr(params, "getall", None)
        raw = getall(prefix + key) if getall else params.get(prefix + key, [])
        found = raw if isinstance(raw, list | tuple) else [raw]
        return [clean_text(value)[:MAX_TEXT] for value in found if isinstance(value, str)]

    def first(key: str) -> str:
        return next((value for value in values(key) if value), "")

    by_name = {column.name: column for column in columns}
    default_columns = tuple(column.name for column in columns if column.visible)
    sort = first("sort")
    descending = sort.startswith("-")
    sort = sort[1:] if descending else sort
    chosen = {name for value in values("cols") for name in value.split(",")}
    filters: list[Filter] = []
    for column in columns:
        if column.filterable:
            filters += _parse_filters(column, lambda key, c=column: values(f"{c.name}.{key}"))
    state = GridState(
        page_size=_clamp(first("size"), 1, MAX_PAGE_SIZE, page_size),
        sort=sort if sort in by_name and by_name[sort].sortable else None,
        descending=descending and sort in by_name and by_name[sort].sortable,
        filters=tuple(filters),
        columns=tuple(name for name in by_name if name in chosen) or default_columns,
    )
    page = 0 if first("page") == "last" else _clamp(first("page"), 1, MAX_PAGE, 1)
    return state.at(page, after=first("after") or None, before=first("before") or None)


def _clamp(text: str, low: int, high: int, default: int) -> int:
    number = as_int(text)
    return default if number is None else min(max(number, low), high)


def _parse_filters(column: GridColumn, values: Callable[[str], list[str]]) -> list[Filter]:
    def parsed(key: str) -> list[Any]:
        found = []
        for text in values(key):
            try:
                value = parse_value(column, text)
            except ValueError:
                continue  # a bad filter value is ignored, never an error page
            if value not in (None, ""):
                found.append(value)
        return found

    if column.type == "str":
        text = next(iter(parsed("q")), None)
        match = next((m for m in values("match") if m in TEXT_MATCHES), "contains")
        return [Filter(column.name, match, text)] if text else []
    if column.type == "choice":
        chosen = tuple(dict.fromkeys(parsed("in")))
        return [Filter(column.name, "in", chosen)] if chosen else []
    name = column.name
    return [
        Filter(name, op, found[0]) for op in FILTER_PARAMETERS[column.type] if (found := parsed(op))
    ]


def state_query(state: GridState, prefix: str, defaults: GridState) -> list[tuple[str, str]]:
    """The URL parameters that give ``state``, leaving out what ``defaults`` has."""
    pairs: list[tuple[str, str]] = []
    if state.last or state.page != 1:
        pairs.append(("page", "last" if state.last else str(state.page)))
    if state.after is not None or state.before is not None:
        pairs.append(
            ("after", state.after) if state.after is not None else ("before", state.before)
        )
    if state.page_size != defaults.page_size:
        pairs.append(("size", str(state.page_size)))
    if state.sort and (state.sort, state.descending) != (defaults.sort, defaults.descending):
        pairs.append(("sort", ("-" if state.descending else "") + state.sort))
    for item in state.filters:
        pairs += _filter_query(item)
    if state.columns != defaults.columns:
        pairs.append(("cols", ",".join(state.columns)))
    return [(prefix + key, value) for key, value in pairs]


def _filter_query(item: Filter) -> list[tuple[str, str]]:
    name = item.column
    if item.op in TEXT_MATCHES:
        match = [] if item.op == "contains" else [(f"{name}.match", item.op)]
        return [(f"{name}.q", item.value), *match]
    if item.op == "in":
        return [(f"{name}.in", str(value)) for value in item.value]
    return [(f"{name}.{item.op}", format_value(item.value))]


def format_value(value: Any) -> str:
    """A value as the text `parse_value` reads back (URLs, form inputs)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def clean_text(text: str) -> str:
    """Text without control characters (PostgreSQL refuses NUL), lone surrogates (no
    database encodes them) or surrounding space."""
    return "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cs")).strip()


def parse_value(column: GridColumn, text: str, sql_type: Any = None) -> Any:
    """``text`` as a value of ``column``'s type; ValueError with a message for people.

    ``sql_type`` (the column's SQL type, when known) adds its length, precision and
    scale as limits, so a value the database would refuse is refused here, politely.
    """
    text = clean_text(text)
    if not text:
        if column.required:
            raise ValueError("A value is required.")
        return "" if column.type == "str" else None
    if column.type == "str":
        length = getattr(sql_type, "length", None)
        if length is not None and len(text) > length:
            raise ValueError(f"Use at most {length} characters.")
        return text
    if column.type == "int":
        number = as_int(text)
        if number is None:
            raise ValueError("Enter a whole number.")
        return number
    if column.type == "decimal":
        return _parse_decimal(text, sql_type)
    if column.type == "bool":
        if text.lower() not in _YES + _NO:
            raise ValueError("Choose yes or no.")
        return text.lower() in _YES
    if column.type == "date":
        return _parse_date(text)
    for value, _label in column.choices:
        if str(value) == text:
            return value
    raise ValueError("Choose one of: " + ", ".join(label for _, label in column.choices) + ".")


def _parse_date(text: str) -> date:
    try:
        if _DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass  # 2024-02-30: the right shape, not a day
    raise ValueError("Enter a date as YYYY-MM-DD.")


def _parse_decimal(text: str, sql_type: Any) -> Decimal:
    if not _DECIMAL.match(text):
        raise ValueError("Enter a number.")
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise ValueError("Enter a number.") from None
    scale = getattr(sql_type, "scale", None) if isinstance(sql_type, Numeric) else None
    precision = getattr(sql_type, "precision", None) if isinstance(sql_type, Numeric) else None
    exponent = value.as_tuple().exponent
    if scale is not None and isinstance(exponent, int) and -exponent > scale:
        raise ValueError(f"Use at most {scale} decimal places.")
    if (
        precision is not None
        and scale is not None
        and abs(value) >= Decimal(10) ** (precision - scale)
    ):
        raise ValueError("This number is too large.")
    return value
