"""product description words: the descriptions' words, each with its products in order

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 05:30:00.000000

On SQLite, a search found in many products and sorted by the description reads the
description index from one end until the page is full of matches: "organic" by
description, descending, over a million products, walks 350,000 entries from Z down
to the first "Organic". ``product_word`` holds each word of each description (split at
spaces, ASCII letters in lower case) with the description and the product, in that
order, so the matches of one word come in description order from one range of it;
``product_vocabulary`` holds every word once, for a search to find the words that
contain its text. Triggers keep both in step with the products. A word stays in the
vocabulary after its last product goes: a search reads nothing for it.

The words of a description are a JSON array made of it in SQL (``json_quote`` escapes
what JSON needs, then each space ends a word), so nothing outside SQLite runs in the
triggers and any connection keeps them. The triggers skip a word already there with
ON CONFLICT DO NOTHING, which an INSERT OR ABORT (or FAIL) of a product cannot
override as it would an OR IGNORE. PostgreSQL's trigram index needs none of this.
Neither table is in the models (see `UNMODELLED`).
"""

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


# A new description's words, and an old one's, as the triggers write and remove them.
_ADDED = """
    INSERT INTO product_word (data_set_id, word, description, product_id)
    SELECT NEW.data_set_id, value, NEW.description, NEW.id
    FROM json_each('[' || replace(json_quote(lower(NEW.description)), ' ', '","') || ']')
    WHERE value != '' ON CONFLICT DO NOTHING;
    INSERT INTO product_vocabulary (word)
    SELECT value
    FROM json_each('[' || replace(json_quote(lower(NEW.description)), ' ', '","') || ']')
    WHERE value != '' ON CONFLICT DO NOTHING;
"""
_REMOVED = """
    DELETE FROM product_word
    WHERE data_set_id = OLD.data_set_id AND description = OLD.description
    AND product_id = OLD.id AND word IN (
        SELECT value
        FROM json_each('[' || replace(json_quote(lower(OLD.description)), ' ', '","') || ']')
    );
"""

SQLITE = [
    """
    CREATE TABLE product_word (
        data_set_id INTEGER NOT NULL,
        word TEXT NOT NULL,
        description TEXT NOT NULL,
        product_id INTEGER NOT NULL,
        PRIMARY KEY (data_set_id, word, description, product_id)
    ) WITHOUT ROWID
    """,
    "CREATE TABLE product_vocabulary (word TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID",
    "CREATE TRIGGER product_word_insert AFTER INSERT ON product BEGIN" + _ADDED + "END",
    "CREATE TRIGGER product_word_delete AFTER DELETE ON product BEGIN" + _REMOVED + "END",
    # A data set's words go in one statement before its products do, each of whose
    # triggers then finds nothing to remove (200,000 products: 29 s, against 37).
    """
    CREATE TRIGGER product_word_data_set_delete BEFORE DELETE ON data_set BEGIN
        DELETE FROM product_word WHERE data_set_id = OLD.id;
    END
    """,
    """
    CREATE TRIGGER product_word_update AFTER UPDATE OF description, data_set_id ON product
    WHEN OLD.description IS NOT NEW.description OR OLD.data_set_id IS NOT NEW.data_set_id
    BEGIN"""
    + _REMOVED
    + _ADDED
    + "END",
    # The products there are, in the table's order: one pass of appends.
    """
    INSERT OR IGNORE INTO product_word (data_set_id, word, description, product_id)
    SELECT product.data_set_id, value, product.description, product.id
    FROM product, json_each(
        '[' || replace(json_quote(lower(product.description)), ' ', '","') || ']'
    )
    WHERE value != ''
    ORDER BY 1, 2, 3, 4
    """,
    "INSERT OR IGNORE INTO product_vocabulary (word) SELECT DISTINCT word FROM product_word",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("insert", "delete", "update", "data_set_delete"):
        op.execute(f"DROP TRIGGER product_word_{trigger}")
    op.execute("DROP TABLE product_vocabulary")
    op.execute("DROP TABLE product_word")
