"""The description search's bulk-load helper, on SQLite (a no-op on PostgreSQL)."""

from __future__ import annotations

from itertools import count

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from poser.models.orm import Product
from poser.models.orm.search import (
    SEARCH_INSERT_TRIGGER,
    SEARCH_MATCH,
    SEARCH_TABLE,
    search_indexed_after,
)
from tests.catalog_support import check_search_index
from tests.database_support import migration_module
from tests.factories import make_data_set


def _found(dbsession: Session, phrase: str) -> list[int]:
    query = select(SEARCH_TABLE.c.rowid).where(SEARCH_MATCH(phrase)).order_by(text("rowid"))
    return list(dbsession.scalars(query))


def test_the_insert_trigger_is_the_one_migration_0009_makes() -> None:
    made = [s for s in migration_module("0009").SQLITE if "product_search_insert" in s]
    assert [" ".join(s.split()) for s in made] == [" ".join(SEARCH_INSERT_TRIGGER.split())]


_upcs = count(1)


def _add(dbsession: Session, data_set_id: int, *descriptions: str) -> list[int]:
    products = [
        Product(data_set_id=data_set_id, upc=f"{next(_upcs):014d}", description=d)
        for d in descriptions
    ]
    dbsession.add_all(products)
    dbsession.flush()
    return [product.id for product in products]


def test_a_bulk_load_is_indexed_on_the_way_out(dbsession: Session) -> None:
    if dbsession.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL's trigram index is kept by PostgreSQL itself")
    before = make_data_set(dbsession, "Before")
    (kept,) = _add(dbsession, before.id, "Kept Oats")
    loaded = make_data_set(dbsession, "Loaded")
    connection = dbsession.connection()
    with search_indexed_after(connection, loaded.id):
        new = _add(dbsession, loaded.id, "Rolled Oats", "Oat Milk")
        assert _found(dbsession, '"oat"') == [kept]  # not yet
    assert _found(dbsession, '"oat"') == [kept, *new]
    check_search_index(dbsession)
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
