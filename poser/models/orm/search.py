"""The products' description search on SQLite: an FTS5 trigram table (migration 0009).

Its content is product's own; triggers keep it in step row by row, which for a bulk
load of new products costs more than the load itself (a million products: 60 s more,
where indexing them in one statement takes 14). `search_indexed_after` lets such a
load index its rows at the end instead. PostgreSQL's trigram index needs none of this.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, column, literal_column, table, text

#: The FTS5 table; its rowid is product.id.
SEARCH_TABLE = table("product_search", column("rowid"))
#: "product_search MATCH <query>"
SEARCH_MATCH = literal_column("product_search").op("MATCH", is_comparison=True)

#: The insert trigger as migration 0009 creates it (a test checks they agree).
SEARCH_INSERT_TRIGGER = """
    CREATE TRIGGER product_search_insert AFTER INSERT ON product BEGIN
        INSERT INTO product_search (rowid, description) VALUES (NEW.id, NEW.description);
    END
    """


@contextmanager
def search_indexed_after(connection: Connection, data_set_id: int) -> Iterator[None]:
    """Within, products added to the data set are not indexed one by one; on the way
    out (errors included, so the index matches what stays) they are, in one statement.

    Only for a data set whose products are all added within: any it had before would
    be indexed twice. SQLite lets one writer in at a time, so no other connection
    adds products while the trigger is gone, and a rollback brings it back.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("DROP TRIGGER product_search_insert")
    try:
        yield
    finally:
        connection.execute(
            text(
                "INSERT INTO product_search (rowid, description) "
                "SELECT id, description FROM product WHERE data_set_id = :data_set_id"
            ),
            {"data_set_id": data_set_id},
        )
        connection.exec_driver_sql(SEARCH_INSERT_TRIGGER)
