"""A Grid's rows as HTML, built in Python rather than by the template: a page has
hundreds of cells, and a template's loops and attribute lookups over them cost more
than the queries that read them.

Each visible column is compiled once per page into a function from a value to its
cell, with everything its rows share (the input's name, label, classes, the options of
a select) escaped and joined ahead. Values are escaped as plain text: wrapping each one
in a ``Markup`` (what ``markupsafe.escape`` returns) cost more than the escaping, and a
page has a thousand of them; the row is one ``Markup`` at the end.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from poser.apps.widgets.grid_edit import RowEdit, input_name
from poser.apps.widgets.grid_text import format_value
from poser.models.data_extraction.grid_state import GridColumn

NUMERIC = ("int", "decimal")
#: How a number column reads (``Grid(formats={column: style})``): money to the cent
#: (to the hundredth of a cent where a unit cost has it), percents with their sign,
#: changes signed, counts with thousands separators. Other numbers show as stored.
FORMATS = ("money", "money_change", "percent", "percent_change", "count", "units", "units_change")
#: Widths of an editable text column's input other than its type's
#: (``Grid(input_widths={column: width})``; grid.css gives each its size).
INPUT_WIDTHS = ("narrow", "wide")
BOOL_OPTIONS = (("", ""), ("yes", "Yes"), ("no", "No"))

_SPECIAL = re.compile("[&<>\"']").search

#: A cell: (the value, the row's key escaped, the row's failed edit or None) -> HTML.
Cell = Callable[[Any, str, RowEdit | None], str]
#: A row -> the URL of the page its cell links to, or None (``Grid(links=...)``).
RowHref = Callable[[Any], str | None]
#: A cell that needs the whole row (a link): the row -> HTML.
RowCell = Callable[[Any], str]


def escape_text(text: str) -> str:
    """``text`` safe in HTML text and in a quoted attribute; most text needs nothing."""
    return html.escape(text) if _SPECIAL(text) else text


def display(column: GridColumn, value: Any) -> str:
    if value is None:
        return ""
    if column.type == "bool":
        return "Yes" if value else "No"
    if column.type == "choice":
        return column.choice_label(value)
    if isinstance(value, float):
        # SQLite computes some decimals as floats: show them as the decimals they are.
        return format(Decimal(repr(value)), "f")
    return format_value(value)


def _text(column: GridColumn, style: str = "") -> Callable[[Any], str]:
    """`display` for one column, escaped, with what it decides per type decided once."""
    if column.type == "str":
        return lambda value: "" if value is None else escape_text(str(value))
    if column.type == "choice":
        labels = {value: escape_text(str(label)) for value, label in column.choices}

        def choice(value: Any) -> str:
            try:
                return labels[value]
            except KeyError:  # not a choice (a name the query shows instead): once a page
                text = labels[value] = escape_text(display(column, value))
                return text
            except TypeError:  # unhashable
                return escape_text(display(column, value))

        return choice
    if column.type in NUMERIC:
        return _number_text(column, style)
    return lambda value: escape_text(display(column, value))


def _number_text(column: GridColumn, style: str = "") -> Callable[[Any], str]:
    """A number's digits need no escaping; anything else a query gave goes through
    `display` as usual."""
    if style:
        return lambda value: format_number(value, style) or escape_text(display(column, value))

    def number(value: Any) -> str:
        kind = type(value)
        if kind is Decimal:
            return format(value, "f")
        if kind is int:
            return str(value)
        return escape_text(display(column, value))

    return number


def format_number(value: Any, style: str) -> str:
    """``value`` as an operator reads it in ``style`` (one of FORMATS); "" when it is
    not a number."""
    if isinstance(value, float):
        value = Decimal(repr(value))  # SQLite computes some decimals as floats
    elif isinstance(value, bool) or not isinstance(value, Decimal | int):
        return ""
    number = Decimal(value)
    if not number.is_finite():
        return ""
    sign = "+" if style.endswith("_change") and number > 0 else ""
    if style.startswith("money"):
        exponent = number.normalize().as_tuple().exponent
        places = 2 if not isinstance(exponent, int) or exponent >= -2 else min(-exponent, 4)
        return f"{sign}{number:,.{places}f}"
    if style.startswith("percent"):
        return f"{sign}{number:,.1f}%"
    if style == "count":
        return f"{number:,f}"
    if style.startswith("units"):  # a quantity: as many places as it has, "12", "-3.5"
        text = f"{number:,f}"
        return sign + (text.rstrip("0").rstrip(".") if "." in text else text)
    return format(number, "f")


def _shown(column: GridColumn) -> Callable[[Any], str]:
    """`format_value` for one column: the text an input shows and the form sends back."""
    if column.type == "str":
        return lambda value: "" if value is None else str(value)
    return format_value


def _text_cell(td: str, column: GridColumn, style: str = "") -> Cell:
    text = _text(column, style)
    return lambda value, key, edit: f"{td}{text(value)}</td>"


def _badge_cell(td: str, column: GridColumn, badges: Mapping[Any, str]) -> Cell:
    """A status as its badge (``Grid(badges=...)``); a value with none, as text."""
    text = _text(column)

    def cell(value: Any, key: str, edit: RowEdit | None) -> str:
        badge = badges.get(value) if value is not None else ""
        return f"{td}{text(value) if badge is None else badge}</td>"

    return cell


def _linked_cell(td: str, column: GridColumn, style: str, href: RowHref) -> RowCell:
    """A text cell whose text links to the page ``href(row)`` names (none: plain text)."""
    text = _text(column, style)
    name = column.name

    def cell(row: Any) -> str:
        url = href(row)
        shown = text(row[name])
        if not url or not shown:
            return f"{td}{shown}</td>"
        return f'{td}<a href="{escape_text(url)}" data-testid="row-link">{shown}</a></td>'

    return cell


def _editor_cell(td: str, prefix: str, column: GridColumn, width: str = "") -> Cell:
    """An input (a select for bool and choice columns) and a hidden copy of the value
    the page showed, to tell this operator's change from someone else's. ``width``
    (`INPUT_WIDTHS`) widens or narrows a text input."""
    name = column.name
    shown_text = _shown(column)
    was_start = f'{td}<input type="hidden" name="{escape_text(input_name(prefix, "was", name, ""))}'
    edit_name = escape_text(input_name(prefix, "edit", name, ""))
    label = escape_text(f"{column.label}, row ")

    if column.type in ("bool", "choice"):
        pairs = BOOL_OPTIONS if column.type == "bool" else (("", ""), *column.choices)
        options = [
            (str(value), escape_text(str(value)), escape_text(str(text))) for value, text in pairs
        ]
        by_selected: dict[str, str] = {}  # a select's options, for each value it shows

        def options_html(selected: str) -> str:
            found = by_selected.get(selected)
            if found is None:
                found = by_selected[selected] = "".join(
                    f'<option value="{value}"{" selected" if raw == selected else ""}>'
                    f"{text}</option>"
                    for raw, value, text in options
                )
            return found

        def select(value: Any, key: str, edit: RowEdit | None) -> str:
            shown = shown_text(value)
            typed, bad = _typed(name, shown, edit)
            described, message = _cell_error(name, f"{edit_name}{key}", key, edit)
            return (
                f'{was_start}{key}" value="{escape_text(shown)}"><select class="form-select '
                f'form-select-sm grid-input-{column.type}{bad}" name="{edit_name}{key}" '
                f'aria-label="{label}{key}"'
                f"{described}>{options_html(typed)}</select>{message}</td>"
            )

        return select

    # Text is an input's default type and input mode: said only where they differ.
    kind = ' type="date"' if column.type == "date" else ""
    mode = {"int": ' inputmode="numeric"', "decimal": ' inputmode="decimal"'}
    sized = f" grid-input-{width}" if width else ""
    start = f'"><input class="form-control form-control-sm grid-input-{column.type}{sized}'
    attributes = f'"{kind}{mode.get(column.type, "")} name="{edit_name}'

    def text_input(value: Any, key: str, edit: RowEdit | None) -> str:
        shown = shown_text(value)
        was = escape_text(shown)
        typed, bad = _typed(name, shown, edit)
        typed_html = was if typed is shown else escape_text(typed)
        invalid = ' aria-invalid="true"' if bad else ""
        described, message = _cell_error(name, f"{edit_name}{key}", key, edit)
        return (
            f'{was_start}{key}" value="{was}{start}{bad}{attributes}{key}" '
            f'value="{typed_html}" aria-label="{label}{key}"{invalid}{described}>{message}</td>'
        )

    return text_input


def _cell_error(name: str, input_id: str, key: str, edit: RowEdit | None) -> tuple[str, str]:
    """(the input's aria-describedby, the message under it) for a refused cell, or
    ("", "")."""
    message = edit.cell_errors.get(name) if edit is not None else None
    if not message:
        return "", ""
    error_id = f"{input_id}.error"
    return (
        f' aria-describedby="{error_id}"',
        f'<div class="invalid-feedback d-block grid-cell-error" id="{error_id}" '
        f'data-testid="cell-error" data-key="{key}" data-column="{escape_text(name)}">'
        f"{escape_text(message)}</div>",
    )


def _typed(name: str, shown: str, edit: RowEdit | None) -> tuple[str, str]:
    """(the text in the input: what was typed into a failed row, else the value shown;
    the class that marks it invalid, or "")."""
    if edit is None:
        return shown, ""
    return edit.texts.get(name, shown), " is-invalid" if name in edit.bad_cells else ""


class RowRenderer:
    """The page's rows: cells of text, or inputs for editors of editable columns, and
    under a row that failed to save, its message."""

    def __init__(
        self,
        prefix: str,
        key_column: str,
        visible: Sequence[GridColumn],
        editing: bool,
        formats: Mapping[str, str] | None = None,
        links: Mapping[str, RowHref] | None = None,
        badges: Mapping[str, Mapping[Any, str]] | None = None,
        wrap: Collection[str] = (),
        input_widths: Mapping[str, str] | None = None,
    ) -> None:
        self.key_column = key_column
        self.cells: list[tuple[str, Cell]] = []
        #: The cells that link somewhere, by column: they read the whole row.
        self.linked: dict[str, RowCell] = {}
        formats, links, badges = formats or {}, links or {}, badges or {}
        for column in visible:
            td = '<td class="text-end">' if column.type in NUMERIC else "<td>"
            if column.name in wrap:
                td = '<td class="grid-wrap">'
            style = formats.get(column.name, "")
            if editing and column.editable:
                width = (input_widths or {}).get(column.name, "")
                self.cells.append((column.name, _editor_cell(td, prefix, column, width)))
                continue
            if column.name in badges:
                self.cells.append((column.name, _badge_cell(td, column, badges[column.name])))
                continue
            self.cells.append((column.name, _text_cell(td, column, style)))
            if column.name in links:
                self.linked[column.name] = _linked_cell(td, column, style, links[column.name])
        self.error_start = (
            f'<tr class="grid-row-error">\n<td colspan="{len(self.cells)}" '
            'class="text-danger small" role="alert" data-testid="row-error" data-key="'
        )

    def __call__(self, row: Any, edit: RowEdit | None) -> tuple[str, Markup]:
        """(the row's key as text, its HTML: a <tr>, and one for its error if it has one)."""
        key = str(row[self.key_column])
        escaped_key = escape_text(key)
        linked = self.linked
        cells = "\n".join(
            [
                linked[name](row) if name in linked else cell(row[name], escaped_key, edit)
                for name, cell in self.cells
            ]
        )
        if edit is None or not edit.error:
            html = f'<tr data-key="{escaped_key}">\n{cells}\n</tr>'
        elif edit.cell_errors:  # each message is next to its cell
            html = f'<tr data-key="{escaped_key}" class="table-danger">\n{cells}\n</tr>'
        else:
            html = (
                f'<tr data-key="{escaped_key}" class="table-danger">\n{cells}\n</tr>\n'
                f'{self.error_start}{escaped_key}">{escape_text(edit.error)}</td>\n</tr>'
            )
        return key, Markup(html)  # noqa: S704 - every value is escaped above
