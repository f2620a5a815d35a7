"""The description search's tables on SQLite: the words table follows the products'
descriptions, and the bulk-load helper indexes a load at the end (a no-op on
PostgreSQL)."""

from __future__ import annotations

from itertools import count

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from poser.models.orm import Product
from poser.models.orm.search import (
    SEARCH_MATCH,
    SEARCH_TABLE,
    VOCABULARY_TABLE,
    WORD_TABLE,
    search_indexed_after,
)
from tests.catalog_support import check_search_index, description_words
from tests.factories import make_data_set


def _found(dbsession: Session, phrase: str) -> list[int]:
    query = select(SEARCH_TABLE.c.rowid).where(SEARCH_MATCH(phrase)).order_by(text("rowid"))
    return list(dbsession.scalars(query))


_upcs = count(1)


def _add(dbsession: Session, data_set_id: int, *descriptions: str) -> list[int]:
    products = [
        Product(data_set_id=data_set_id, upc=f"{next(_upcs):014d}", description=d)
        for d in descriptions
    ]
    dbsession.add_all(products)
    dbsession.flush()
    return [product.id for product in products]


TRIGGERS = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"


def _words(dbsession: Session, product_id: int) -> set[str]:
    query = select(WORD_TABLE.c.word).where(WORD_TABLE.c.product_id == product_id)
    return set(dbsession.scalars(query))


def test_the_words_table_follows_the_descriptions(dbsession: Session) -> None:
    if dbsession.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL's trigram index is kept by PostgreSQL itself")
    store = make_data_set(dbsession, "Store")
    texts = [
        "Organic  Whole MILK",  # two spaces: no empty word
        'The "Best" Oats \\ 100%',  # JSON's own characters
        "Tab\there,\nnew line\x01",  # control characters stay within a word
        "CRÈME Fraîche",  # SQLite's lower() folds ASCII letters alone
        "  Oat  Bran ",  # spaces before, between and after
        "milk milk",
    ]
    ids = _add(dbsession, store.id, *texts)
    for id_, described in zip(ids, texts, strict=True):
        assert _words(dbsession, id_) == description_words(described), described
    assert _words(dbsession, ids[0]) == {"organic", "whole", "milk"}
    assert _words(dbsession, ids[2]) == {"tab\there,\nnew", "line\x01"}
    assert _words(dbsession, ids[3]) == {"crÈme", "fraîche"}
    vocabulary = set(dbsession.scalars(select(VOCABULARY_TABLE.c.word)))
    assert {"organic", "milk", '"best"', "crÈme"} <= vocabulary

    # A new description's words replace the old ones; other changes leave them.
    first = dbsession.get(Product, ids[0])
    first.description = "Skim Milk"
    dbsession.flush()
    assert _words(dbsession, first.id) == {"skim", "milk"}
    first.brand = "Dairy Co"
    dbsession.flush()
    rows = select(WORD_TABLE).where(WORD_TABLE.c.product_id == first.id)
    assert {tuple(row) for row in dbsession.execute(rows)} == {
        (store.id, "skim", "Skim Milk", first.id),
        (store.id, "milk", "Skim Milk", first.id),
    }
    # A statement's own conflict clause leaves the triggers' as they are.
    dbsession.execute(
        text(
            "INSERT OR ABORT INTO product (data_set_id, upc, description, brand, size,"
            " on_hand, active) VALUES (:data_set_id, '99999999999999', 'Whole Milk', '', '',"
            " 0, 1)"
        ),
        {"data_set_id": store.id},
    )
    dbsession.execute(
        text("UPDATE OR FAIL product SET description = 'Milk  milk' WHERE id = :id"), {"id": ids[5]}
    )
    whole = dbsession.scalar(select(Product.id).where(Product.upc == "99999999999999"))
    assert _words(dbsession, whole) == {"whole", "milk"}
    assert _words(dbsession, ids[5]) == {"milk"}
    # A deleted product's words go; the vocabulary keeps them (a search reads nothing).
    dbsession.delete(first)
    dbsession.flush()
    assert _words(dbsession, first.id) == set()
    assert "skim" in set(dbsession.scalars(select(VOCABULARY_TABLE.c.word)))
    check_search_index(dbsession)


def test_a_bulk_load_is_indexed_on_the_way_out(dbsession: Session) -> None:
    if dbsession.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL's trigram index is kept by PostgreSQL itself")
    triggers = dbsession.execute(text(TRIGGERS)).all()
    before = make_data_set(dbsession, "Before")
    (kept,) = _add(dbsession, before.id, "Kept Oats")
    loaded = make_data_set(dbsession, "Loaded")
    connection = dbsession.connection()
    with search_indexed_after(connection, loaded.id):
        new = _add(dbsession, loaded.id, "Rolled Oats", "Oat Milk")
        assert _found(dbsession, '"oat"') == [kept]  # not yet
        assert _words(dbsession, new[0]) == set()
    assert _found(dbsession, '"oat"') == [kept, *new]
    assert _words(dbsession, new[1]) == {"oat", "milk"}
    check_search_index(dbsession)
    # The triggers are back as they were.
    assert dbsession.execute(text(TRIGGERS)).all() == triggers
    # The trigger is back: a product added now is found at once.
    (later,) = _add(dbsession, loaded.id, "Oat Bran")
    assert _found(dbsession, '"oat bran"') == [later]

    # A load that fails part way still leaves the index matching what was added.
    failed = make_data_set(dbsession, "Failed")  # commits: a new connection from here
    added: list[int] = []

    def load() -> None:
        with search_indexed_after(dbsession.connection(), failed.id):
            added.extend(_add(dbsession, failed.id, "Steel Cut Oats"))
            raise RuntimeError("the load broke")

    with pytest.raises(RuntimeError):
        load()
    assert _found(dbsession, '"steel cut"') == added
    check_search_index(dbsession)
