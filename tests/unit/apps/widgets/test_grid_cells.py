"""A Grid's cells as HTML: text escaped, inputs named per row, the row's own values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pyquery import PyQuery

from poser.apps.widgets.grid_cells import RowRenderer
from poser.apps.widgets.grid_edit import RowEdit
from poser.models.data_extraction.grid import GridColumn

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
