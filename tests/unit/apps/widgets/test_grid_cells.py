"""A Grid's cells as HTML: text escaped, inputs named per row, the row's own values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pyquery import PyQuery

from poser.apps.widgets.grid_cells import RowRenderer, format_number
from poser.apps.widgets.grid_edit import RowEdit
from poser.models.data_extraction.grid_state import GridColumn

COLUMNS = [
    GridColumn("name", "Name", editable=True),
    GridColumn("price", "Price", type="decimal", editable=True),
    GridColumn("kind", "Kind", type="choice", choices=[("a", "A <1>"), ("b", "B")], editable=True),
    GridColumn("active", "Active", type="bool"),
]
ROW = {"id": 'x"<7>', "name": "<b>Tea</b>", "price": Decimal("2.50"), "kind": "b", "active": True}


def test_cells_are_escaped_text_for_viewers() -> None:
    key, html = RowRenderer("g.", "id", COLUMNS, editing=False)(ROW, None)
    assert key == 'x"<7>'
    cells = PyQuery(f"<table>{html}</table>")("td")
    assert [cell.text for cell in cells] == ["<b>Tea</b>", "2.50", "B", "Yes"]
    assert PyQuery(cells[1]).attr("class") == "text-end"


def test_inputs_carry_the_row_key_the_shown_value_and_the_typed_one() -> None:
    edit = RowEdit(key='x"<7>', texts={"price": "abc"}, bad_cells={"price"}, error="Bad")
    _, html = RowRenderer("g.", "id", COLUMNS, editing=True)(ROW, edit)
    page = PyQuery(f"<table>{html}</table>")
    name = page('input[name="g.edit.name.x\\"<7>"]')
    assert (name.val(), name.attr("aria-label")) == ("<b>Tea</b>", 'Name, row x"<7>')
    price = page('input[name="g.edit.price.x\\"<7>"]')
    assert (price.val(), price.attr("aria-invalid"), price.attr("inputmode")) == (
        "abc",
        "true",
        "decimal",
    )
    assert page('input[name="g.was.price.x\\"<7>"]').val() == "2.50"
    assert page("select option[selected]").text() == "B"
    assert [option.text for option in page("select option")][1] == "A <1>"
    assert not page('[name^="g.edit.active"]')  # not an editable column
    assert page("tr").eq(0).attr("data-key") == 'x"<7>'
    assert page("tr").eq(0).has_class("table-danger")
    message = page("tr.grid-row-error td")
    assert (message.text(), message.attr("colspan"), message.attr("data-key")) == (
        "Bad",
        "4",
        'x"<7>',
    )


def test_a_row_without_an_error_is_one_row() -> None:
    _, html = RowRenderer("g.", "id", COLUMNS, editing=True)(ROW, None)
    page = PyQuery(f"<table>{html}</table>")
    assert len(page("tr")) == 1
    assert not page("tr").has_class("table-danger")
    assert page('input[name="g.edit.price.x\\"<7>"]').val() == "2.50"
    assert page("select option[selected]").text() == "B"


def test_text_with_quotes_and_ampersands_stays_text_in_attributes() -> None:
    row = {**ROW, "name": 'Ben & Jerry\'s "Best"'}
    _, html = RowRenderer("g.", "id", COLUMNS, editing=True)(row, None)
    page = PyQuery(f"<table>{html}</table>")
    assert page('input[name="g.edit.name.x\\"<7>"]').val() == 'Ben & Jerry\'s "Best"'
    assert page('input[name="g.was.name.x\\"<7>"]').val() == 'Ben & Jerry\'s "Best"'


def test_inputs_say_their_type_and_mode_only_where_text_is_not_the_default() -> None:
    columns = [*COLUMNS, GridColumn("due", "Due", type="date", editable=True)]
    row = {**ROW, "due": date(2026, 11, 21)}
    _, html = RowRenderer("g.", "id", columns, editing=True)(row, None)
    page = PyQuery(f"<table>{html}</table>")
    name = page('input[name^="g.edit.name"]')
    assert (name.attr("type"), name.attr("inputmode")) == (None, None)
    due = page('input[name^="g.edit.due"]')
    assert (due.attr("type"), due.val()) == ("date", "2026-11-21")
    assert page('input[name^="g.edit.price"]').attr("inputmode") == "decimal"
    assert [td.attrib.get("class") for td in page("td")][:2] == [None, "text-end"]


@pytest.mark.parametrize(
    ("value", "style", "text"),
    [
        (Decimal("1234.5"), "money", "1,234.50"),
        (Decimal("16.7300"), "money", "16.73"),
        (Decimal("0.0833"), "money", "0.0833"),  # a unit cost's fraction of a cent stays
        (Decimal("0.083333"), "money", "0.0833"),
        (2.5, "money", "2.50"),  # SQLite's float for a decimal
        (Decimal("0.25"), "money_change", "+0.25"),
        (Decimal("-0.25"), "money_change", "-0.25"),
        (Decimal("0"), "money_change", "0.00"),
        (Decimal("35"), "percent", "35.0%"),
        (Decimal("-4392.14"), "percent", "-4,392.1%"),
        (Decimal("4.56"), "percent_change", "+4.6%"),
        (12345, "count", "12,345"),
        (Decimal("12.000"), "units", "12"),  # a quantity as stored, three places
        (Decimal("1234.500"), "units", "1,234.5"),
        (Decimal("-3.250"), "units_change", "-3.25"),
        (Decimal("2.000"), "units_change", "+2"),
        (Decimal("0.000"), "units_change", "0"),
        ("n/a", "money", ""),
        (True, "count", ""),
    ],
)
def test_numbers_read_as_money_percents_and_counts(value, style, text) -> None:
    assert format_number(value, style) == text


def test_formatted_cells_and_a_missing_value() -> None:
    renderer = RowRenderer("g.", "id", COLUMNS, editing=False, formats={"price": "money"})
    _, html = renderer({**ROW, "price": Decimal("1234.5")}, None)
    assert PyQuery(f"<table>{html}</table>")("td").eq(1).text() == "1,234.50"
    _, html = renderer({**ROW, "price": None}, None)
    assert PyQuery(f"<table>{html}</table>")("td").eq(1).text() == ""


def test_a_refused_cells_message_is_next_to_it_and_describes_its_input() -> None:
    edit = RowEdit(
        key="7",
        texts={"price": "abc"},
        bad_cells={"price"},
        cell_errors={"price": "Enter a number."},
        error="Price: Enter a number.",
    )
    _, html = RowRenderer("g.", "id", COLUMNS, editing=True)({**ROW, "id": "7"}, edit)
    page = PyQuery(f"<table>{html}</table>")
    price = page('input[name="g.edit.price.7"]')
    message = page(f'[id="{price.attr("aria-describedby")}"]')
    assert message.text() == "Enter a number."
    assert message.parent().is_("td")  # in the cell, under its input
    assert (message.attr("data-key"), message.attr("data-column")) == ("7", "price")
    assert not page("tr.grid-row-error")  # not said again under the row


def test_a_wrapping_columns_cells_wrap_and_the_others_keep_to_one_line() -> None:
    renderer = RowRenderer("g.", "id", COLUMNS, editing=False, wrap={"name"})
    _, html = renderer(ROW, None)
    cells = PyQuery(f"<table>{html}</table>")("td")
    assert [td.attrib.get("class") for td in cells][:2] == ["grid-wrap", "text-end"]


def test_an_input_takes_the_width_its_grid_gives_its_column() -> None:
    renderer = RowRenderer("g.", "id", COLUMNS, editing=True, input_widths={"name": "wide"})
    _, html = renderer({**ROW, "id": "7"}, None)
    page = PyQuery(f"<table>{html}</table>")
    assert "grid-input-wide" in page('input[name="g.edit.name.7"]').attr("class")
    assert "grid-input-wide" not in page('input[name="g.edit.price.7"]').attr("class")
