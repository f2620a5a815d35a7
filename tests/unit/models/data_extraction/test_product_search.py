"""The Products grid's description search (product_search.DescriptionSearch): it finds what
the grid's "contains" finds, through the trigram index of each database, and on SQLite
reads a common text's matches in the description's order from the words table."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from poser.apps.widgets.grid_text import parse_grid_state
from poser.models.data_extraction import product_search as search_module
from poser.models.data_extraction.grid import GridPage, grid_page
from poser.models.data_extraction.grid_plans import InOrder
from poser.models.data_extraction.grid_state import Filter, GridColumn, GridState
from poser.models.data_extraction.product_search import DescriptionSearch, any_case_regex
from poser.models.data_extraction.products import product_grid
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
    # On SQLite, a text within a word is listed from the words its vocabulary finds, a
    # text with a space by the trigram table; on PostgreSQL, every "contains" is lower()
    # LIKE lower(), which its index holds.
    condition = DescriptionSearch(dbsession, store.id).condition
    assert condition(Filter("description", "contains", "milk")) is not None
    assert condition(Filter("description", "contains", "mi")) is not None
    assert condition(Filter("description", "contains", "k 1")) is not None
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

    # Found many times, a search is the grid's own scan, which on SQLite offers its
    # matches in the description's order, from the words table.
    monkeypatch.setattr(search_module, "SEARCH_LIST", 0)
    many = DescriptionSearch(dbsession, store.id).condition
    assert isinstance(many(Filter("description", "contains", "milk")), InOrder) is sqlite
    assert many(Filter("description", "contains", "skim")) is not None
    assert found("milk") == ["Buttermilk"]
    assert found("i") == ["Skim Drink", "Buttermilk"]
    # Held by more words than the grid merges: too short for trigrams, it is the grid's
    # own; longer, the trigram table's, listed up to SEARCH_LIST (here none).
    monkeypatch.setattr(search_module, "MERGE_VALUES", 0)
    every = DescriptionSearch(dbsession, store.id).condition
    assert (every(Filter("description", "contains", "mi")) is None) is sqlite
    assert not isinstance(every(Filter("description", "contains", "skim")), InOrder)
    assert found("mi") == ["Buttermilk"]
    assert found("skim") == ["Skim Drink"]


def test_the_description_search_ignores_the_case_of_any_letter_however_often_found(
    dbsession: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_data_set(dbsession, "Store")
    _named(dbsession, store, "CRÈME FRAÎCHE", "Crème brûlée", "Creme soda", "ÉCLAIR")
    dbsession.commit()

    def found(text: str) -> list[str]:
        return _searched(dbsession, store, text)

    # On SQLite: listed from the words, then found too often: the grid's own.
    assert found("crème") == ["CRÈME FRAÎCHE", "Crème brûlée"]
    assert found("è") == ["CRÈME FRAÎCHE", "Crème brûlée"]
    assert found("é") == ["Crème brûlée", "ÉCLAIR"]
    # Found too often to list: the grid's own, which finds the same.
    monkeypatch.setattr(search_module, "SEARCH_LIST", 0)
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


@pytest.mark.parametrize("searched", ["organic", "organic i"])
def test_a_request_looks_a_text_up_once_and_its_statements_read_the_list(
    dbsession: Session, searched: str
) -> None:
    if dbsession.get_bind().dialect.name != "sqlite":
        pytest.skip("only SQLite has the trigram table and the words")
    store = make_data_set(dbsession, "Store")
    _named(dbsession, store, *(f"Organic item {n}" for n in range(7)), "Plain", "organic tea")
    dbsession.commit()
    columns = [
        GridColumn("upc"),
        GridColumn("description", condition=DescriptionSearch(dbsession, store.id).condition),
        GridColumn("regular_price", type="decimal"),
    ]
    state = parse_grid_state(
        {"description.q": searched, "sort": "-description", "size": "3"}, columns
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
    expected = ["organic tea", "Organic item 6", "Organic item 5", "Organic item 4"]
    first = 0 if searched == "organic" else 1  # "organic tea" holds no "organic i"
    assert [row["description"] for row in page.rows] == expected[first : first + 3]
    total = 8 if searched == "organic" else 7
    assert (page.total, page.total_is_capped, page.has_next) == (total, False, True)
    # The text is looked up once, for the list of its matches, which the keys read; the
    # count reads it too, or the ranges of the words that listed it.
    selects = [s for s in statements if s.startswith("SELECT")]
    *listing, count, keys, rows = selects
    if searched == "organic":  # within a word: the vocabulary, then its words' products
        vocabulary, counted, listed = listing
        assert "FROM product_vocabulary WHERE product_vocabulary.word LIKE" in vocabulary
        assert "FROM product_word WHERE product_word.data_set_id = ?" in counted
        assert "SELECT DISTINCT product_word.product_id" in listed
        assert "json_group_array" in listed
    else:  # over two words: the trigram table, over all data sets
        (listed,) = listing
        assert "FROM product_search WHERE product_search MATCH" in listed
        assert "json_group_array" in listed
        assert "FROM product " not in listed
    if searched == "organic":
        assert "FROM product_word WHERE product_word.data_set_id = ?" in count
        assert "json_each" not in count
    else:
        assert "count(*)" in count
        assert "json_each" in count
        assert "product_word" not in count
    assert "json_each" in keys
    assert "product_word" not in keys
    for statement in (count, keys):
        assert "MATCH" not in statement
    assert "product.upc" in rows


def test_a_listed_search_counts_each_product_once_from_its_words(dbsession: Session) -> None:
    if dbsession.get_bind().dialect.name != "sqlite":
        pytest.skip("only SQLite has the words")
    store = make_data_set(dbsession, "Store")
    other = make_data_set(dbsession, "Other")
    # "milk" is in two words; the blend has both, and the other data set's is not ours.
    _named(dbsession, store, "Milk Buttermilk Blend", "Whole Milk", "Buttermilk", "Plain")
    _named(dbsession, other, "Other Milk")
    dbsession.commit()
    search = DescriptionSearch(dbsession, store.id).condition
    assert isinstance(search(Filter("description", "contains", "milk")), InOrder)
    columns = [GridColumn("upc"), GridColumn("description", condition=search)]
    for sort in ("", "-upc", "description"):
        state = parse_grid_state({"description.q": "milk", "sort": sort, "size": "2"}, columns)
        for cap, counted in ((100, (3, False)), (3, (3, False)), (2, (2, True))):
            read = functools.partial(grid_page, dbsession, product_grid(store.id), columns)
            pages = [read(state, "id", count_cap=cap, plans=plans) for plans in (True, False)]
            assert [(page.total, page.total_is_capped) for page in pages] == [counted] * 2


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
    monkeypatch.setattr(search_module, "SEARCH_LIST", 0)
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
        # The count and the keys come from the words table, each word's first rows
        # merged; no statement walks the products for the text.
        words = [s for s in statements if "FROM product_word" in s]
        counts = [s for s in words if "count(DISTINCT anon_1.row_key)" in s]
        keys = [s for s in words if "ORDER BY" in s]
        assert counts, sort
        assert keys, sort
        assert all(" UNION SELECT " in s for s in keys)
        assert not [s for s in statements if "product.description LIKE" in s]
        statements.clear()
    assert plain[0][0] == [("Nonorganic Lemons", 6), ("ORGANIC PLUMS", 10)]  # binary order

    # A text with a space may span words, and one that many words hold needs more
    # ranges than the grid merges ("o": five words here, over a merge of two): both
    # are walked as before, and find the same.
    monkeypatch.setattr(search_module, "MERGE_VALUES", 2)
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


def test_any_case_regex_is_the_ascii_letters_in_lower_case_and_a_bracket_of_the_others() -> None:
    assert any_case_regex("Crème") == "cr[Èè]me"
    # The expressions' special characters are themselves; a letter whose upper case is
    # two letters stays as it is.
    assert any_case_regex("a.b*[c]?ß") == r"a\.b\*\[c\]\?ß"
    assert any_case_regex("ǆ") == "[Ǆǅǆ]"


DOTLESS_I, LONG_S, KELVIN = "\u0131", "\u017f", "\u212a"


def test_letters_whose_other_case_is_an_ascii_letter_find_what_the_grid_finds(
    dbsession: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dotless i, the long s and the Kelvin sign are cases of I, S and K: the words
    table keeps I, S and K as i, s and k, and the trigram table folds case its own way,
    so such a text, and any text the trigram table finds, is checked as the grid's own
    "contains" checks it."""
    if dbsession.get_bind().dialect.name != "sqlite":
        # PostgreSQL's search folds the ASCII letters alone, as SQLite's LIKE does; the
        # grid's own ILIKE there folds every case its collation knows (the Kelvin sign).
        pytest.skip("SQLite's tables")
    store = make_data_set(dbsession, "Store")
    _named(
        dbsession,
        store,
        *("Kilo Pack", "kilo", f"{KELVIN}ilo bag", "Ice cream", f"{DOTLESS_I}ce", "Salt"),
        *(f"{LONG_S}traw", "K x", f"{KELVIN} x"),
    )
    dbsession.commit()

    def plain(text_: str) -> list[str]:
        columns = [GridColumn("upc"), GridColumn("description")]
        state = parse_grid_state({"description.q": text_}, columns)
        page = grid_page(dbsession, product_grid(store.id), columns, state, "id")
        return [row["description"] for row in page.rows]

    texts = [f"{KELVIN}ilo", f"{DOTLESS_I}ce", LONG_S, f"{LONG_S}tr", "k x", f"{KELVIN} x"]
    for listed in (True, False):  # listed, then found too often: the grid's LIKE
        monkeypatch.setattr(search_module, "SEARCH_LIST", 20_000 if listed else 0)
        for text_ in [*texts, "kilo", "ice"]:
            assert _searched(dbsession, store, text_) == plain(text_), (listed, text_)
            params = {"description.q": text_, "sort": "description"}
            assert _pages(dbsession, store, params, count_cap=1) == _pages(
                dbsession, store, params, count_cap=1, plans=False
            ), (listed, text_)
    assert plain(f"{DOTLESS_I}ce") == ["Ice cream", f"{DOTLESS_I}ce"]
    assert plain("k x") == ["K x"]
