"""product: room on its pages for on-hand; inventory_batch_row: the variance sort's index

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 17:20:00.000000

Applying a count sets on-hand, which no index holds: on PostgreSQL such an UPDATE is
heap-only (HOT) when the row's new version fits on its page, and then none of the
product table's 19 indexes takes an entry. Full pages (fillfactor 100) left no room:
every row moved, and each of its indexes took a new entry (200,000 products: 63 s;
with half of each page free, all heap-only, 2.1 s). Fillfactor 50 keeps half of each
page free for a count that changes every product; the heap is twice as large, its
indexes are not. ALTER TABLE ... SET does not rewrite the table: pages written from
now on keep the room, and a row moved by an update lands on one of them. SQLite has
no fillfactor.

The review grid sorts all of a batch's rows by the variance: (batch, variance at
cost, id) reads a page from the index instead of sorting the batch's rows. Only an
index is created.
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE product SET (fillfactor = 50)")
    op.create_index(
        "ix_inventory_batch_row_variance",
        "inventory_batch_row",
        ["batch_id", "variance_cost", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_inventory_batch_row_variance", table_name="inventory_batch_row")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE product RESET (fillfactor)")
