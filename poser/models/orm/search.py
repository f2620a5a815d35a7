"""The products' description search on SQLite: a trigram table and a table of words.

``product_search`` (migration 0009) is an FTS5 trigram table whose content is
product's own: it finds the products whose description holds a text. ``product_word``
(migration 0027) holds each description's words (split at spaces, ASCII letters in
lower case) with the description and the product: the products with one word come
from it in description order. ``product_vocabulary`` holds every word once.

Triggers keep the three in step with the products row by row, which for a bulk load of
new products costs more than the load itself (a million products: 60 s more, where
indexing them in one statement takes 14, and the words 5). `search_indexed_after`
lets such a load index its rows at the end instead. PostgreSQL's trigram index needs
none of this.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import (
    Connection,
    Integer,
    String,
    bindparam,
    column,
    literal_column,
    table,
    text,
)

#: The FTS5 table; its rowid is product.id.
SEARCH_TABLE = table("product_search", column("rowid"))
#: "product_search MATCH <query>"
SEARCH_MATCH = literal_column("product_search").op("MATCH", is_comparison=True)
#: A row per word of a product's description; its key is every column, in this order.
WORD_TABLE = table(
    "product_word",
    column("data_set_id", Integer),
    column("word", String),
    column("description", String),
    column("product_id", Integer),
)
#: Every word of ``product_word``, once (and words no product has any more).
VOCABULARY_TABLE = table("product_vocabulary", column("word", String))

#: The triggers that index a new product, which a bulk load sets aside.
_INSERT_TRIGGERS = ("product_search_insert", "product_word_insert")
_TRIGGERS = text(
    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN :names"
).bindparams(bindparam("names", expanding=True))
# A description's words: a JSON array made of it, each space ending a word (json_quote
# escapes what JSON needs, and no escape holds a space), as migration 0027's triggers.
_INDEXED = [
    """
    INSERT INTO product_search (rowid, description)
    SELECT id, description FROM product WHERE data_set_id = :data_set_id
    """,
    """
    INSERT OR IGNORE INTO product_word (data_set_id, word, description, product_id)
    SELECT product.data_set_id, value, product.description, product.id
    FROM product, json_each(
        '[' || replace(json_quote(lower(product.description)), ' ', '","') || ']'
    )
    WHERE product.data_set_id = :data_set_id AND value != ''
    ORDER BY 2, 3, 4
    """,
    """
    INSERT OR IGNORE INTO product_vocabulary (word)
    SELECT DISTINCT word FROM product_word WHERE data_set_id = :data_set_id
    """,
]


@contextmanager
def search_indexed_after(connection: Connection, data_set_id: int) -> Iterator[None]:
    """Within, products added to the data set are not indexed one by one; on the way
    out (errors included, so the indexes match what stays) they are, in one statement
    a table.

    Only for a data set whose products are all added within: any it had before would
    be indexed twice. SQLite lets one writer in at a time, so no other connection
    adds products while the triggers are gone, and a rollback brings them back.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    made = dict(connection.execute(_TRIGGERS, {"names": _INSERT_TRIGGERS}).all())
    for name in made:
        connection.exec_driver_sql(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        for statement in _INDEXED:
            connection.execute(text(statement), {"data_set_id": data_set_id})
        for sql in made.values():
            connection.exec_driver_sql(sql)
