"""A grid's columns, its filters and its state: what the engine (`grid`) reads.

The state comes from a grid's URL (`poser.apps.widgets.grid_text` reads and writes it),
so every view of a grid is a link to share.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement

COLUMN_TYPES = ("int", "decimal", "str", "bool", "date", "choice")
DEFAULT_PAGE_SIZE = 50
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


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
