"""A grid's columns and state, and the values in its URLs and forms.

A grid's state (page, page size, sort, filters, visible columns) lives in the URL, so
every view of a grid is a link to share. `parse_grid_state` reads it from a plain
mapping of query parameters and never fails: a bad value is ignored, a number out of
range is clamped, so no URL a person can type leads to an error page.

URL parameters, each after the grid's prefix (``products.``): ``page`` (a number, or
``last``) with ``after`` or ``before`` (the key of the row just before or just after
the page: see `grid`), ``size``, ``sort`` (a column name, ``-`` before it for
descending), ``cols`` (visible columns, comma-separated or repeated), and per
filterable column ``<name>.q`` with ``<name>.match`` (contains or equals) for text,
``<name>.min``/``.max`` for numbers, ``<name>.is`` (yes or no) for booleans,
``<name>.from``/``.to`` for dates and ``<name>.in`` (repeated) for choices.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, Numeric

COLUMN_TYPES = ("int", "decimal", "str", "bool", "date", "choice")
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
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
#: A page typed by number (no ``after``) is read by OFFSET: deeper ones read most of a
#: million rows, and nobody pages there by hand.
MAX_PAGE = 100_000
MAX_TEXT = 200
_INT_LIMIT = 2**63 - 1  # what both databases' BIGINT hold; larger binds fail in SQLite
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# ASCII digits only: Python's int() also reads other scripts' digits (٣ is 3).
_INT = re.compile(r"[+-]?\d{1,19}\Z", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(\d{1,30}(\.\d{0,20})?|\.\d{1,20})\Z", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)
_YES = ("yes", "true", "1", "on")
_NO = ("no", "false", "0", "off")


@dataclass(frozen=True, eq=False)
class GridColumn:
    """One column: ``expression`` (SQL) shows, filters and sorts it; None means the base
    query's column of the same ``name``. ``choices`` are values or (value, label) pairs.
    ``condition``, when given, turns a filter on this column into SQL of its own (vendor
    codes as the vendors' ids, a search through a trigram index), or returns None to
    leave it to the grid."""

    name: str
    label: str = ""
    expression: ColumnElement[Any] | None = None
    type: str = "str"
    choices: Sequence[Any] = ()
    sortable: bool = True
    filterable: bool = True
    editable: bool = False
    visible: bool = True
    required: bool = False
    condition: Callable[[Filter], ColumnElement[bool] | None] | None = None

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"grid column name {self.name!r} must be an identifier")
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"grid column {self.name!r}: type must be one of {COLUMN_TYPES}")
        pairs = tuple(c if isinstance(c, tuple) else (c, str(c)) for c in self.choices)
        if self.type == "choice" and not pairs:
            raise ValueError(f"grid column {self.name!r}: a choice column needs choices")
        object.__setattr__(self, "choices", pairs)
        object.__setattr__(self, "label", self.label or self.name.replace("_", " ").capitalize())

    def choice_label(self, value: Any) -> str:
        return next((label for choice, label in self.choices if choice == value), str(value))


@dataclass(frozen=True)
class Filter:
    """``op`` is contains or equals (str), min or max (int, decimal), is (bool), from or
    to (date, both inclusive), in (choice: ``value`` is a tuple)."""

    column: str
    op: str
    value: Any


@dataclass(frozen=True)
class GridState:
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    sort: str | None = None
    descending: bool = False
    filters: tuple[Filter, ...] = ()
    #: The visible columns' names, in the grid's order.
    columns: tuple[str, ...] = ()
    #: The key, as text, of the row just before the page (``after``) or just after it
    #: (``before``); neither on page 1. ``last``: the page that ends the rows.
    after: str | None = None
    before: str | None = None
    last: bool = False

    def at(
        self, page: int = 1, *, after: str | None = None, before: str | None = None
    ) -> GridState:
        """This state at another page (``page=0``: the last one). A bookmark goes with
        a page past the first; ``after`` wins over ``before``."""
        keyset = page > 1
        return replace(
            self,
            page=max(page, 1),
            after=after if keyset else None,
            before=before if keyset and after is None else None,
            last=page == 0,
        )

    def filter_values(self, column: str) -> dict[str, Any]:
        """The value of each of a column's filters, by its op (the first, if repeated)."""
        values: dict[str, Any] = {}
        for item in self.filters:
            if item.column == column:
                values.setdefault(item.op, item.value)
        return values

    def replace(self, **changes: Any) -> GridState:
        return replace(self, **changes)

    def query(self, prefix: str, defaults: GridState) -> list[tuple[str, str]]:
        """The URL parameters that give this state, leaving out what ``defaults`` has."""
        pairs: list[tuple[str, str]] = []
        if self.last or self.page != 1:
            pairs.append(("page", "last" if self.last else str(self.page)))
        if self.after is not None or self.before is not None:
            pairs.append(
                ("after", self.after) if self.after is not None else ("before", self.before)
            )
        if self.page_size != defaults.page_size:
            pairs.append(("size", str(self.page_size)))
        if self.sort and (self.sort, self.descending) != (defaults.sort, defaults.descending):
            pairs.append(("sort", ("-" if self.descending else "") + self.sort))
        for item in self.filters:
            pairs += _filter_query(item)
        if self.columns != defaults.columns:
            pairs.append(("cols", ",".join(self.columns)))
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


def as_int(text: str) -> int | None:
    """A whole number that both databases can bind, or None."""
    if not _INT.match(text) or abs(int(text)) > _INT_LIMIT:
        return None
    return int(text)


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
