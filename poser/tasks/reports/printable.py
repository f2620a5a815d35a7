"""The printable page's cells: each value shown as the page shows it, in Python, once.

`cell_text` is the text of one value for its column's kind (the template's ``cell``
filter). `row_type` makes the rows the template reads: tuples of the row's values (as
before: ``{% for value in row %}``) whose ``cells`` is the row's ``<td>`` cells, already
escaped (Markup), which is what the packaged template writes: one look-up a row instead
of a filter, a test and an attribute a cell, in the sandbox.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

#: The opening tag of a cell of each kind: every kind but text is a number or a date,
#: which the page sets right-aligned.
OPEN = {"text": "<td>"}
NUMBER_OPEN = '<td class="number">'


def cell_text(value: Any, kind: str = "text") -> str:
    """A value as the printable page shows it: money to the cent, costs to four places
    at most, percents with their sign, grouped numbers, Yes and No, ISO dates."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return _number_text(Decimal(str(value)), kind)
    return str(value)


def _number_text(number: Decimal, kind: str) -> str:
    if kind == "money":
        return f"{number:,.2f}"
    if kind == "percent":
        return f"{number:,.2f}%"
    if kind == "cost":
        return _cost_text(number)
    if kind == "int":
        return f"{number:,.0f}"
    return f"{number.normalize():,f}"


def _cost_text(number: Decimal) -> str:
    # Four places, less the zeros past the cent: 1.2500 is 1.25, 0.1230 is 0.123.
    text = f"{number:,.4f}"
    if text.endswith("00"):
        return text[:-2]
    return text[:-1] if text.endswith("0") else text


def cell_html(kind: str) -> Callable[[Any], str]:
    """The ``<td>`` of a value of a column of ``kind``, escaped: `cell_text` in a cell,
    with a shorter way for the common values (text, a Decimal, an int, nothing)."""
    opening = OPEN.get(kind, NUMBER_OPEN)
    empty = f"{opening}</td>"

    def other(value: Any) -> str:
        return f"{opening}{escape(cell_text(value, kind))}</td>"

    def text(value: str) -> str:
        return f"{opening}{escape(value)}</td>" if value else empty

    def decimal(value: Decimal) -> str:
        if not value.is_finite():
            return other(value)
        return f"{opening}{_number_text(value, kind)}</td>"

    def integer(value: int) -> str:
        if kind == "int":
            return f"{opening}{value:,}</td>"
        return decimal(Decimal(value))

    by_type: dict[type, Callable[[Any], str]] = {
        str: text,
        Decimal: decimal,
        int: integer,
        type(None): lambda value: empty,
    }
    find = by_type.get

    def cell(value: Any) -> str:
        return find(type(value), other)(value)

    return cell


class ReportRow(tuple[Any, ...]):
    """One row of the printable page: its values, and ``cells``, its ``<td>`` cells."""

    __slots__ = ()
    _cells: tuple[Callable[[Any], str], ...] = ()

    @property
    def cells(self) -> Markup:
        cells = "".join([cell(value) for cell, value in zip(self._cells, self, strict=False)])
        return Markup(cells)  # noqa: S704 - each cell escapes its value (cell_html)


def row_type(kinds: Sequence[str]) -> type[ReportRow]:
    """The rows of a report whose columns are of ``kinds``."""
    cells = tuple(cell_html(kind) for kind in kinds)
    return type("ReportRow", (ReportRow,), {"__slots__": (), "_cells": cells})
