"""A grid state's filters as SQL conditions (the rows they select: test_grid)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, literal, select, true
from sqlalchemy.dialects import postgresql, sqlite

from poser.models.data_extraction.grid_filters import (
    ContainsText,
    conditions_of,
    filtered_select,
    one_of,
    resolve_columns,
)
from poser.models.data_extraction.grid_state import Filter, GridColumn, parse_grid_state
from tests.unit.models.data_extraction.test_grid import COLUMNS, base, item


def _sql(condition: object) -> str:
    return str(condition).replace("\n", " ")


def test_a_column_with_an_expression_is_added_to_the_select_and_others_must_be_in_it() -> None:
    name, value = COLUMNS[0], COLUMNS[-2]
    resolved, expressions = resolve_columns(select(item.c.id, item.c.name), [name, value])
    assert [column.name for column in resolved.selected_columns] == ["id", "name", "value"]
    assert set(expressions) == {"name", "value"}
    with pytest.raises(ValueError, match="'price' is not in the query"):
        resolve_columns(select(item.c.id), [COLUMNS[1]])


def test_a_columns_own_condition_comes_first_and_none_leaves_it_to_the_grid() -> None:
    asked: list[Filter] = []

    def own(found: Filter) -> object:
        asked.append(found)
        return item.c.kind == "own" if found.value == "mine" else None

    columns = [GridColumn("name", condition=own), GridColumn("qty", type="int")]
    _, expressions = resolve_columns(base(), columns)
    mine = parse_grid_state({"name.q": "mine", "qty.min": "3"}, columns)
    first, second = conditions_of(expressions, columns, mine)
    assert _sql(first) == "grid_item.kind = :kind_1"
    assert _sql(second) == "grid_item.qty >= :qty_1"
    theirs = parse_grid_state({"name.q": "theirs"}, columns)
    (left,) = conditions_of(expressions, columns, theirs)
    assert "lower(grid_item.name) LIKE" in _sql(left)
    assert [found.value for found in asked] == ["mine", "theirs"]


def test_unindexed_ranges_keep_a_range_off_every_index_but_the_sorts() -> None:
    state = parse_grid_state({"qty.min": "3", "price.max": "2", "sort": "price"}, COLUMNS)
    _, expressions = resolve_columns(base(), COLUMNS)
    found = {_sql(condition) for condition in conditions_of(expressions, COLUMNS, state)}
    assert found == {"grid_item.qty >= :qty_1", "grid_item.price <= :price_1"}
    loose = conditions_of(expressions, COLUMNS, state, unindexed_ranges=True)
    assert {_sql(condition) for condition in loose} == {
        "(grid_item.qty >= :qty_1) IS true",
        "grid_item.price <= :price_1",  # the sort's own range stays open to its index
    }


def test_one_of_narrows_one_filter_to_one_value() -> None:
    state = parse_grid_state({"kind.in": ["fruit", "dairy"], "qty.min": "3"}, COLUMNS)
    kinds = next(found for found in state.filters if found.column == "kind")
    narrowed = one_of(state, kinds, "dairy")
    values = {found.column: found.value for found in narrowed.filters}
    assert values == {"kind": ("dairy",), "qty": 3}
    assert state.filters != narrowed.filters  # a new state; the old one is unchanged
    statement, _ = filtered_select(base(), COLUMNS, narrowed)
    assert "grid_item.kind IN" in _sql(statement)


def test_contains_text_is_like_on_sqlite_and_ilike_on_postgresql() -> None:
    condition = ContainsText(item.c.name, "50%_off")
    on_sqlite = str(condition.compile(dialect=sqlite.dialect()))
    # SQLite's LIKE ignores ASCII case already: no lower() per row, no "= 1".
    assert on_sqlite == "grid_item.name LIKE '%' || ? || '%' ESCAPE '/'"
    assert condition.compile(dialect=sqlite.dialect()).params == {"name_1": "50/%/_off"}
    on_postgresql = str(condition.compile(dialect=postgresql.dialect()))
    assert on_postgresql.startswith("grid_item.name ILIKE ")


def test_contains_text_finds_the_rows_lower_like_lower_finds() -> None:
    # SQLite's lower() and LIKE fold the same letters (ASCII only): the rows are the same.
    texts = ["Organic Milk", "ORGANIC", "x50%_offy", "50%aoff", "Épi", "épi", "ǅ"]
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        for searched in ["organic", "50%_off", "épi", "ÉPI", "ǆ", "_", "%"]:
            for text_ in texts:
                value = literal(text_)
                ours = connection.scalar(select(true()).where(ContainsText(value, searched)))
                theirs = connection.scalar(
                    select(true()).where(value.icontains(searched, autoescape=True))
                )
                assert bool(ours) is bool(theirs), (searched, text_)
    engine.dispose()
