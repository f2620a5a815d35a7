"""A grid state's filters as SQL conditions (the rows they select: test_grid)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, literal, select, true
from sqlalchemy.dialects import postgresql, sqlite

from poser.apps.widgets.grid_text import parse_grid_state
from poser.models.data_extraction.grid_filters import (
    ContainsText,
    any_case_glob,
    conditions_of,
    folds_as_ascii,
    resolve_columns,
)
from poser.models.data_extraction.grid_state import Filter, GridColumn
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


def test_fenced_filters_are_the_same_test_that_no_index_serves() -> None:
    state = parse_grid_state({"qty.min": "3", "price.max": "2", "sort": "price"}, COLUMNS)
    _, expressions = resolve_columns(base(), COLUMNS)
    found = {_sql(condition) for condition in conditions_of(expressions, COLUMNS, state)}
    assert found == {"grid_item.qty >= :qty_1", "grid_item.price <= :price_1"}
    fenced = conditions_of(expressions, COLUMNS, state, lambda item: item.column == "qty")
    assert {_sql(condition) for condition in fenced} == {
        "(grid_item.qty >= :qty_1) IS true",
        "grid_item.price <= :price_1",
    }


def test_contains_text_is_like_on_sqlite_and_ilike_on_postgresql() -> None:
    condition = ContainsText(item.c.name, "50%_off")
    on_sqlite = str(condition.compile(dialect=sqlite.dialect()))
    # SQLite's LIKE ignores ASCII case already: no lower() per row, no "= 1".
    assert on_sqlite == "grid_item.name LIKE '%' || ? || '%' ESCAPE '/'"
    assert condition.compile(dialect=sqlite.dialect()).params == {"name_1": "50/%/_off"}
    on_postgresql = str(condition.compile(dialect=postgresql.dialect()))
    assert on_postgresql.startswith("grid_item.name ILIKE ")


def test_contains_text_with_letters_past_ascii_is_a_glob_of_their_cases_on_sqlite() -> None:
    condition = ContainsText(item.c.name, "élève é*")
    compiled = condition.compile(dialect=sqlite.dialect())
    assert str(compiled) == "grid_item.name GLOB ?"
    assert compiled.params == {"name_1": "*[Éé][Ll][Èè][Vv][Ee] [Éé][*]*"}
    assert str(condition.compile(dialect=postgresql.dialect())).startswith("grid_item.name ILIKE ")
    # GLOB's wildcards are themselves; a letter whose case is two letters stays as it is.
    assert any_case_glob("a?[b]ß") == "*[Aa][?][[][Bb]]ß*"
    assert any_case_glob("ǆ") == "*[Ǆǅǆ]*"


# A letter's cases, wildcards of LIKE and GLOB, and the escape character.
TEXTS = ["Organic Milk", "ORGANIC", "x50%_offy", "50%aoff", "Épi", "épi", "ǅ", "CRÈME FRAÎCHE",
         "a*b?c[d]", "a/b", "Straße", "ÉLÈVE*?[d] Économe"]  # fmt: skip
SEARCHES = [
    "organic",
    "50%_off",
    "épi",
    "ÉPI",
    "ǆ",
    "Ǆ",
    "_",
    "%",
    "crème",
    "Fraîche",
    "*",
    "?",
    "[d]",
    "a*b",
    "/",
    "ß",
    "STRASSE",
    "élève*?[d]",
    "ève*?[d] éco",
    "élève*?[d] é",
    "élève*x é",
]  # fmt: skip (those with letters past ASCII: a GLOB on SQLite)


def test_contains_text_finds_what_each_letters_lower_case_finds(database_url: str) -> None:
    # On both databases, as PostgreSQL's ILIKE and SQLite's trigram search find it.
    engine = create_engine(database_url)
    with engine.connect() as connection:
        for searched in SEARCHES:
            for text_ in TEXTS:
                found = connection.scalar(
                    select(true()).where(ContainsText(literal(text_), searched))
                )
                assert bool(found) is (searched.lower() in text_.lower()), (searched, text_)
    engine.dispose()


def test_folds_as_ascii_when_every_letter_with_cases_is_ascii() -> None:
    assert folds_as_ascii("Organic 50% ß €")
    assert not folds_as_ascii("crème")
