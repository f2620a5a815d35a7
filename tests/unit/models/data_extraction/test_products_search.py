"""The Products grid's description search (products.DescriptionSearch): it finds what
the grid's "contains" finds, through the trigram index of each database, and on SQLite
reads a common text's matches in the description's order from the words table."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from poser.models.data_extraction import products as products_module
from poser.models.data_extraction.grid import (
    Filter,
    GridColumn,
    GridPage,
    GridState,
    grid_page,
    parse_grid_state,
)
from poser.models.data_extraction.grid_plans import InOrder
from poser.models.data_extraction.products import DescriptionSearch, product_grid
from poser.models.orm import DataSet, Product
from tests.factories import make_data_set


def _named(dbsession: Session, data_set: DataSet, *descriptions: str) -> list[Product]:
    products = [
        Product(data_set_id=data_set.id, upc=f"{number:014d}", description=text)
        for number, text in enumerate(descriptions, start=1)
    ]
    dbsession.add_all(products)
    dbsession.flush()
    return products


def _searched(dbsession: Session, data_set: DataSet, text: str) -> list[str]:
    """The descriptions the Products grid's search for ``text`` shows, in id order."""
    # A condition lives for one request, as the Products grid makes its columns.
    condition = DescriptionSearch(dbsession, data_set.id).condition
    columns = [GridColumn("upc"), GridColumn("description", condition=condition)]
    state = parse_grid_state({"description.q": text}, columns)
    page = grid_page(dbsession, product_grid(data_set.id), columns, state, "id")
    return [row["description"] for row in page.rows]


def test_the_description_search_finds_what_contains_finds(
    dbsession: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_data_set(dbsession, "Store")
    other = make_data_set(dbsession, "Other")
    milk, _, quoted = _named(
        dbsession, store, "Whole Milk 1 gal", "Buttermilk", 'The "Best" Oats 100%'
    )
    _named(dbsession, other, "Whole milk elsewhere")
    dbsession.commit()
    sqlite = dbsession.get_bind().dialect.name == "sqlite"

    def found(text: str) -> list[str]:
        return _searched(dbsession, store, text)

    assert found("MILK") == ["Whole Milk 1 gal", "Buttermilk"]
    assert found('"best" oats 100%') == ['The "Best" Oats 100%']
    assert found("zzzz") == []
    assert found("mi") == ["Whole Milk 1 gal", "Buttermilk"]  # too short for trigrams
    # On SQLite, a search of three characters or more goes through the trigram table;
    # on PostgreSQL, every "contains" is lower() LIKE lower(), which its index holds.
    condition = DescriptionSearch(dbsession, store.id).condition
    assert condition(Filter("description", "contains", "milk")) is not None
    # Too short for trigrams, it is the grid's own LIKE, which on SQLite also offers
    # its matches in the description's order, from the words table.
    assert isinstance(condition(Filter("description", "contains", "mi")), InOrder) is sqlite
    assert condition(Filter("description", "equals", "Buttermilk")) is None
    # No wildcards: "%" and "_" are themselves, and "/" (the escape) too.
    assert found("0%") == ['The "Best" Oats 100%']
    assert found("1%") == found("100/") == found("_") == []

    # The table follows the products' descriptions: changed, then deleted.
    milk.description = "Skim Drink"
    dbsession.delete(quoted)
    dbsession.commit()
    assert found("milk") == ["Buttermilk"]
    assert found("skim") == ["Skim Drink"]
    assert found("oats") == []

    # Found many times overall, a search is left to the grid's own scan.
    monkeypatch.setattr(products_module, "SEARCH_LIST", 1)
    many = DescriptionSearch(dbsession, store.id).condition
    assert isinstance(many(Filter("description", "contains", "milk")), InOrder) is sqlite
    assert many(Filter("description", "contains", "skim")) is not None


def test_the_description_search_ignores_the_case_of_any_letter_however_often_found(
    dbsession: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_data_set(dbsession, "Store")
    _named(dbsession, store, "CRÈME FRAÎCHE", "Crème brûlée", "Creme soda", "ÉCLAIR")
    dbsession.commit()

    def found(text: str) -> list[str]:
        return _searched(dbsession, store, text)

    # On SQLite: listed by the trigram table, then (too short for it) the grid's own.
    assert found("crème") == ["CRÈME FRAÎCHE", "Crème brûlée"]
    assert found("è") == ["CRÈME FRAÎCHE", "Crème brûlée"]
    assert found("é") == ["Crème brûlée", "ÉCLAIR"]
    # Found too often to list: the grid's own, which finds the same.
    monkeypatch.setattr(products_module, "SEARCH_LIST", 0)
    assert found("crème") == ["CRÈME FRAÎCHE", "Crème brûlée"]
    assert found("FRAÎCHE") == ["CRÈME FRAÎCHE"]
    assert found("creme") == ["Creme soda"]


def test_postgresqls_search_index_serves_the_description_search(dbsession: Session) -> None:
    if dbsession.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's trigram index")
    store = make_data_set(dbsession, "Store")
    _named(dbsession, store, *(f"Item {n}" for n in range(2000)), "Whole Milk")
    # New rows wait in the index's pending list, which makes it look dear to the planner.
    dbsession.execute(text("SELECT gin_clean_pending_list('ix_product_description_search')"))
    dbsession.execute(text("ANALYZE product"))
    dbsession.execute(text("SET LOCAL enable_seqscan = off"))  # a small table: it would do
    search = DescriptionSearch(dbsession, store.id).condition
    # A text of ASCII letters is a LIKE, one with other letters that have cases a regular
    # expression: the index (on the description under the "C" collation, which EXPLAIN
    # does not print) serves both.
    for searched, shown in (("Milk", "~~ '%milk%'"), ("Crème", "~ 'cr[Èè]me'")):
        condition = search(Filter("description", "contains", searched))
        compiled = select(Product.id).where(condition).compile(dbsession.get_bind())
        explained = dbsession.connection().exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
        plan = "\n".join(row[0] for row in explained)
        assert "Bitmap Index Scan on ix_product_description_search" in plan, plan
        assert f"lower((description)::text) {shown}" in plan, plan


def test_a_request_searches_the_trigram_table_once_and_its_statements_read_the_list(
    dbsession: Session,
) -> None:
    if dbsession.get_bind().dialect.name != "sqlite":
        pytest.skip("only SQLite has the trigram table")
    store = make_data_set(dbsession, "Store")
    _named(dbsession, store, *(f"Organic item {n}" for n in range(7)), "Plain", "organic tea")
    dbsession.commit()
    columns = [
        GridColumn("upc"),
        GridColumn("description", condition=DescriptionSearch(dbsession, store.id).condition),
        GridColumn("regular_price", type="decimal"),
    ]
    state = parse_grid_state(
        {"description.q": "organic", "sort": "-description", "size": "3"}, columns
    )
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()))

    engine = dbsession.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        page = grid_page(dbsession, product_grid(store.id), columns, state, "id")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [row["description"] for row in page.rows] == [
        "organic tea",
        "Organic item 6",
        "Organic item 5",
    ]
    assert (page.total, page.total_is_capped, page.has_next) == (8, False, True)
    # The table is searched once, for the list of its matches; the count and the keys
    # read that list and search no more.
    listing, count, keys, rows = [s for s in statements if s.startswith("SELECT")]
    assert "FROM product_search WHERE product_search MATCH" in listing
    assert "json_group_array" in listing
    assert "FROM product " not in listing  # over all data sets: the table alone
    assert "count(*)" in count
    for statement in (count, keys):
        assert "json_each" in statement, statement
        assert "MATCH" not in statement
    assert "product.upc" in rows


def _pages(dbsession: Session, data_set: DataSet, params: dict[str, str], **kw: Any) -> list:
    """Every page's descriptions and keys by the next links, each page read as a request
    reads it (a search of its own); the same backwards from the last; and the pages
    typed by number."""

    def read(state: GridState | dict[str, str]) -> GridPage:
        search = DescriptionSearch(dbsession, data_set.id).condition
        columns = [GridColumn("upc"), GridColumn("description", condition=search)]
        if isinstance(state, dict):
            state = parse_grid_state(state, columns)
        return grid_page(dbsession, product_grid(data_set.id), columns, state, "id", **kw)

    def shown(page: GridPage) -> list[tuple[str, int]]:
        return [(row["description"], row["id"]) for row in page.rows]

    page = read({**params, "size": "2"})
    forward = [shown(page)]
    while (following := page.link("next")) is not None:
        page = read(following)
        forward.append(shown(page))
    backward = [shown(page)]
    while (preceding := page.link("previous")) is not None:
        page = read(preceding)
        backward.insert(0, shown(page))
    assert backward == forward, params
    typed = [shown(read({**params, "size": "2", "page": n})) for n in ("2", "4", "last")]
    return [forward, typed]


def test_a_common_text_sorted_by_the_description_is_read_from_its_words_in_order(
    dbsession: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    if dbsession.get_bind().dialect.name != "sqlite":
        pytest.skip("only SQLite has the words table")
    # Found too often for the trigram table to list, and counted past the cap (3): as
    # "organic" is over a million products.
    monkeypatch.setattr(products_module, "SEARCH_LIST", 0)
    store = make_data_set(dbsession, "Store")
    other = make_data_set(dbsession, "Other")
    _named(
        dbsession,
        store,
        *(f"Organic {fruit}" for fruit in ("Pears", "Apples", "Kiwis", "Figs", "Apples")),
        "Nonorganic Lemons",  # another word that holds the text
        "Organic (organics) Mix",  # three words that hold it, in one product
        "Orange Juice",
        "Zucchini",
        "ORGANIC PLUMS",
    )
    _named(dbsession, other, "Organic Elsewhere", "Organic Zzz")
    dbsession.commit()
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()))

    engine = dbsession.get_bind()
    for sort in ("-description", "description"):
        params = {"description.q": "organic", "sort": sort}
        plain = _pages(dbsession, store, params, count_cap=3, plans=False)
        event.listen(engine, "before_cursor_execute", seen)
        try:
            planned = _pages(dbsession, store, params, count_cap=3)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        assert planned == plain, sort
        forward = [description for page in planned[0] for description, _ in page]
        assert len(forward) == 8
        assert forward == sorted(forward, reverse=sort.startswith("-"))
        # The keys come from the words table, each word's first rows merged.
        keys = [s for s in statements if "FROM product_word" in s]
        assert keys, sort
        assert all(" UNION SELECT " in s for s in keys)
        statements.clear()
    assert plain[0][0] == [("Nonorganic Lemons", 6), ("ORGANIC PLUMS", 10)]  # binary order

    # A text with a space may span words, and one that many words hold needs more
    # ranges than the grid merges ("o": five words here, over a merge of two): both
    # are walked as before, and find the same.
    monkeypatch.setattr(products_module, "MERGE_VALUES", 2)
    for text_ in ("organic a", "o"):
        params = {"description.q": text_, "sort": "description"}
        event.listen(engine, "before_cursor_execute", seen)
        try:
            planned = _pages(dbsession, store, params, count_cap=1)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        assert planned == _pages(dbsession, store, params, count_cap=1, plans=False)
        assert not [s for s in statements if "FROM product_word" in s], text_
        statements.clear()
