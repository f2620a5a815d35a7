"""product description search: a trigram index for the grid's "contains"

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 16:00:00.000000

Without an index, a search that finds nothing reads every product (300 ms over a
million). A trigram index answers it from the index: on PostgreSQL a GIN index of
pg_trgm over the description, which serves the grid's "description ILIKE" as it is
written; on SQLite an FTS5 table with the trigram tokenizer, whose content is
product's own (nothing copied) and which triggers keep in step.

pg_trgm ships with PostgreSQL and is a trusted extension: the owner of the database can
create it. Neither object is in the models (the models-vs-migrations check skips them,
see `UNMODELLED`).
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SQLITE = [
    "CREATE VIRTUAL TABLE product_search USING fts5("
    "description, content='product', content_rowid='id', tokenize='trigram')",
    """
    CREATE TRIGGER product_search_insert AFTER INSERT ON product BEGIN
        INSERT INTO product_search (rowid, description) VALUES (NEW.id, NEW.description);
    END
    """,
    """
    CREATE TRIGGER product_search_delete AFTER DELETE ON product BEGIN
        INSERT INTO product_search (product_search, rowid, description)
        VALUES ('delete', OLD.id, OLD.description);
    END
    """,
    """
    CREATE TRIGGER product_search_update AFTER UPDATE OF description ON product BEGIN
        INSERT INTO product_search (product_search, rowid, description)
        VALUES ('delete', OLD.id, OLD.description);
        INSERT INTO product_search (rowid, description) VALUES (NEW.id, NEW.description);
    END
    """,
    "INSERT INTO product_search (product_search) VALUES ('rebuild')",
]

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_product_description_search ON product USING gin (description gin_trgm_ops)",
]


def upgrade() -> None:
    for statement in POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The extension stays: other databases' objects, or the operator's, may use it.
        op.execute("DROP INDEX ix_product_description_search")
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER product_search_{trigger}")
    op.execute("DROP TABLE product_search")
