"""A grid's state and values as text (`poser.apps.widgets.grid_text`): its URL's
parameters read back as its state, never failing, and typed values checked against
their columns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Numeric, String
from webob.multidict import MultiDict

from poser.apps.widgets.grid_text import (
    MAX_PAGE,
    MAX_PAGE_SIZE,
    MAX_TEXT,
    parse_grid_state,
    parse_value,
    state_query,
)
from poser.models.data_extraction.grid_state import Filter, GridColumn, GridState
from tests.unit.models.data_extraction.test_grid import COLUMNS, state


def test_no_parameters_give_the_defaults() -> None:
    parsed = parse_grid_state({}, COLUMNS, page_size=25)
    assert parsed == GridState(
        page=1,
        page_size=25,
        columns=("name", "price", "qty", "active", "added", "kind", "value", "note"),
    )


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("3", 3),
        (" 4 ", 4),
        ("", 1),
        ("abc", 1),
        ("0", 1),
        ("-5", 1),
        ("1.5", 1),
        ("1e3", 1),
        ("٣", 1),  # an Arabic-Indic three: a digit to Python's int(), not to the grid
        ("99999999999", MAX_PAGE),
        ("9" * 40, 1),
        ("\x00", 1),
    ],
)
def test_bad_pages_are_ignored_or_clamped(page: str, expected: int) -> None:
    assert state(page=page).page == expected


@pytest.mark.parametrize(
    ("size", "expected"), [("10", 10), ("0", 1), ("100000", MAX_PAGE_SIZE), ("ten", 50)]
)
def test_page_sizes_are_clamped(size: str, expected: int) -> None:
    assert state(size=size).page_size == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price", ("price", False)),
        ("-price", ("price", True)),
        ("--price", (None, False)),
        ("-", (None, False)),
        ("nope", (None, False)),
        ("-nope", (None, False)),
        ("note", (None, False)),  # not sortable
        ("price; DROP TABLE grid_item", (None, False)),
    ],
)
def test_sort_must_name_a_sortable_column(sort: str, expected: tuple[Any, bool]) -> None:
    parsed = state(sort=sort)
    assert (parsed.sort, parsed.descending) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"name.q": "milk"}, [Filter("name", "contains", "milk")]),
        ({"name.q": "milk", "name.match": "equals"}, [Filter("name", "equals", "milk")]),
        ({"name.q": "milk", "name.match": "regex"}, [Filter("name", "contains", "milk")]),
        ({"name.q": "  "}, []),
        ({"name.q": "a\x00b\x1fc"}, [Filter("name", "contains", "abc")]),
        ({"name.q": "x" * 1000}, [Filter("name", "contains", "x" * MAX_TEXT)]),
        (
            {"price.min": "1.5", "price.max": "3"},
            [
                Filter("price", "min", Decimal("1.5")),
                Filter("price", "max", Decimal("3")),
            ],
        ),
        ({"price.min": "NaN", "price.max": "Infinity"}, []),
        ({"price.min": "1e5", "price.max": "1,5"}, []),
        ({"qty.min": "2", "qty.max": "abc"}, [Filter("qty", "min", 2)]),
        ({"qty.min": "1.5", "qty.max": "9" * 30}, []),
        ({"active.is": "yes"}, [Filter("active", "is", True)]),
        ({"active.is": "no"}, [Filter("active", "is", False)]),
        ({"active.is": "any"}, []),
        ({"active.is": "maybe"}, []),
        (
            {"added.from": "2024-01-02", "added.to": "2024-02-30"},
            [
                Filter("added", "from", date(2024, 1, 2)),
            ],
        ),
        ({"added.from": "yesterday", "added.to": "2024-13-01"}, []),
        ({"added.from": "20240102"}, []),
        (
            {"kind.in": ["dairy", "fruit", "dairy", "meat"]},
            [
                Filter("kind", "in", ("dairy", "fruit")),
            ],
        ),
        ({"kind.in": "meat"}, []),
        ({"price.q": "1", "name.min": "2", "active.from": "2024-01-01"}, []),  # wrong ops
        ({"note.q": "x"}, []),  # not filterable
        ({"nope.q": "x", "q": "x", ".q": "x"}, []),  # no such column
        (
            {"name.q": None, "qty.min": 5, "price.min": ["1", object()]},
            [Filter("price", "min", Decimal(1))],
        ),
    ],
)
def test_filters_keep_only_good_values(params: dict[str, Any], expected: list[Filter]) -> None:
    assert list(state(**params).filters) == expected


@pytest.mark.parametrize(
    ("cols", "expected"),
    [
        ("kind,name", ("name", "kind")),  # in the grid's order, not the URL's
        (["kind", "name"], ("name", "kind")),
        ("seen_at,nope", ("seen_at",)),
        ("nope", None),
        ("", None),
        (",,,", None),
    ],
)
def test_visible_columns(cols: Any, expected: tuple[str, ...] | None) -> None:
    default = state().columns
    assert state(cols=cols).columns == (expected or default)


def test_parameters_of_other_grids_are_not_this_grids() -> None:
    params = MultiDict(
        [("a.page", "2"), ("b.page", "7"), ("b.sort", "qty"), ("a.kind.in", "fruit")]
    )
    params.add("a.kind.in", "bakery")
    parsed = parse_grid_state(params, COLUMNS, prefix="a.")
    assert (parsed.page, parsed.sort) == (2, None)
    assert parsed.filters == (Filter("kind", "in", ("fruit", "bakery")),)


def test_the_query_of_a_state_reads_back_as_that_state() -> None:
    defaults = parse_grid_state({}, COLUMNS)
    params = MultiDict(
        [
            ("p.page", "3"),
            ("p.size", "20"),
            ("p.sort", "-price"),
            ("p.name.q", "tem 1"),
            ("p.name.match", "equals"),
            ("p.price.min", "1.50"),
            ("p.active.is", "no"),
            ("p.added.to", "2024-01-20"),
            ("p.kind.in", "fruit"),
            ("p.kind.in", "dairy"),
            ("p.cols", "name"),
            ("p.cols", "price"),
        ]
    )
    parsed = parse_grid_state(params, COLUMNS, prefix="p.")
    query = state_query(parsed, "p.", defaults)
    assert ("p.cols", "name,price") in query
    assert ("p.price.min", "1.50") in query
    assert parse_grid_state(MultiDict(query), COLUMNS, prefix="p.") == parsed
    assert state_query(defaults, "p.", defaults) == []


@pytest.mark.parametrize(
    ("column", "text", "sql_type", "message"),
    [
        (GridColumn("x", type="int"), "1.5", None, "whole number"),
        (GridColumn("x", type="decimal"), "abc", None, "Enter a number"),
        (GridColumn("x", type="decimal"), "1.234", Numeric(10, 2), "2 decimal places"),
        (GridColumn("x", type="decimal"), "123456789", Numeric(10, 2), "too large"),
        (GridColumn("x"), "x" * 41, String(40), "40 characters"),
        (GridColumn("x", type="date"), "2024-02-30", None, "YYYY-MM-DD"),
        (GridColumn("x", type="bool"), "maybe", None, "yes or no"),
        (GridColumn("x", type="choice", choices=[(1, "One")]), "2", None, "One"),
        (GridColumn("x", type="int", required=True), " ", None, "required"),
    ],
)
def test_values_are_checked_against_the_column(
    column: GridColumn, text: str, sql_type: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        parse_value(column, text, sql_type)


def test_good_values_are_typed() -> None:
    assert parse_value(GridColumn("x", type="decimal"), "-1.25", Numeric(10, 2)) == Decimal("-1.25")
    assert parse_value(GridColumn("x", type="int"), "-7") == -7
    assert parse_value(GridColumn("x", type="bool"), "TRUE") is True
    assert parse_value(GridColumn("x", type="choice", choices=[1, 2]), "2") == 2
    assert parse_value(GridColumn("x", type="int"), "") is None
    assert parse_value(GridColumn("x"), "  ") == ""
