"""A Grid's rows as HTML, built in Python rather than by the template: a page has
hundreds of cells, and a template's loops and attribute lookups over them cost more
than the queries that read them. What every row of a column shares (its input's name,
label, classes and options) is escaped once per page, not once per cell."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from poser.apps.widgets.grid_edit import RowEdit, input_name
from poser.models.data_extraction.grid import GridColumn, format_value

NUMERIC = ("int", "decimal")
BOOL_OPTIONS = (("", ""), ("yes", "Yes"), ("no", "No"))


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


class _Editor:
    """One editable column's input, as text to fill in per row."""

    def __init__(self, prefix: str, column: GridColumn) -> None:
        self.column = column
        self.name = escape(input_name(prefix, "edit", column.name, ""))
        self.was_name = escape(input_name(prefix, "was", column.name, ""))
        self.label = escape(f"{column.label}, row ")
        self.options: list[tuple[str, str, str]] | None = None
        if column.type in ("bool", "choice"):
            pairs = BOOL_OPTIONS if column.type == "bool" else (("", ""), *column.choices)
            self.options = [
                (str(value), f'<option value="{escape(value)}"', f">{escape(text)}</option>")
                for value, text in pairs
            ]
        kind = "date" if column.type == "date" else "text"
        mode = {"int": "numeric", "decimal": "decimal"}.get(column.type, "text")
        self.input_class = f"form-control form-control-sm grid-input-{column.type}"
        self.input_attributes = f'type="{kind}" inputmode="{mode}"'

    def html(self, key: str, was: str, value: str, invalid: bool) -> str:
        """``key`` is escaped already; ``was`` is the value the page showed (to tell a
        change from someone else's), ``value`` the one in the input."""
        bad = " is-invalid" if invalid else ""
        escaped_was = escape(was)
        hidden = f'<input type="hidden" name="{self.was_name}{key}" value="{escaped_was}">'
        name, label = f"{self.name}{key}", f"{self.label}{key}"
        if self.options is not None:
            options = "".join(
                f"{start} selected{end}" if choice == value else f"{start}{end}"
                for choice, start, end in self.options
            )
            return (
                f'{hidden}<select class="form-select form-select-sm{bad}" name="{name}" '
                f'aria-label="{label}">{options}</select>'
            )
        aria_invalid = ' aria-invalid="true"' if invalid else ""
        return (
            f'{hidden}<input class="{self.input_class}{bad}" {self.input_attributes} '
            f'name="{name}" value="{escaped_was if value == was else escape(value)}" '
            f'aria-label="{label}"{aria_invalid}>'
        )


def _text(column: GridColumn) -> Callable[[Any], str]:
    """`display` for one column, escaped, with what it decides per type decided once."""
    if column.type == "str":
        return lambda value: "" if value is None else escape(value)
    if column.type == "choice":
        labels = {value: escape(label) for value, label in column.choices}

        def choice(value: Any) -> str:
            try:
                return labels[value]
            except (KeyError, TypeError):  # not a choice, or unhashable
                return escape(display(column, value))

        return choice
    return lambda value: escape(display(column, value))


class RowRenderer:
    """The cells of the page's rows: text, or inputs for editors of editable columns."""

    def __init__(
        self, prefix: str, key_column: str, visible: Sequence[GridColumn], editing: bool
    ) -> None:
        self.key_column = key_column
        self.columns = [
            (
                column,
                '<td class="text-end">' if column.type in NUMERIC else '<td class="">',
                _Editor(prefix, column) if editing and column.editable else None,
                _text(column),
            )
            for column in visible
        ]

    def __call__(self, row: Any, edit: RowEdit | None) -> tuple[str, Markup]:
        """(the row's key as text, its cells' HTML)."""
        key = str(row[self.key_column])
        escaped_key = escape(key)
        cells = []
        for column, td, editor, text in self.columns:
            value = row[column.name]
            if editor is None:
                cell = text(value)
            else:
                shown = format_value(value)
                typed = edit.texts.get(column.name, shown) if edit else shown
                invalid = bool(edit and column.name in edit.bad_cells)
                cell = editor.html(escaped_key, shown, typed, invalid)
            cells.append(f"{td}{cell}</td>")
        return key, Markup("\n".join(cells))  # noqa: S704 - every value is escaped above
