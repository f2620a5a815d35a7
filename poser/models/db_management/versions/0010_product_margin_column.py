"""product margin: a generated column, indexed, and held by the price index

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 18:00:00.000000

Worked out per row from the price and the preferred unit cost, the margin has no
index: a margin filter reads products until it has counted its matches (a sequential
scan of 40,000 rows for "at most 20 %", 17 ms on PostgreSQL), and no index serves a
sort by margin. Here the database works it out as a generated column, from the
product's own columns, which an index holds:

- ``ix_product_margin`` (data set, margin, id) counts a margin filter's matches and
  reads the rows by margin;
- ``ix_product_department_margin`` reads a department's products by margin, the
  question the margins chart sends operators to the catalog with. Margins are set per
  department, so a department's products lie far along the margin index (Dairy by
  margin: 900 ms, walking it), and there are too many to sort (Grocery: 240 ms);
- the price index holds the margin after the id in place of the unit cost, so a
  margin filter walking the rows by price reads no row.

PostgreSQL stores the column (it has no other kind before version 18, and cannot index
a virtual one there); SQLite cannot add a stored column to a table, so its column is
VIRTUAL, which it indexes the same. Triggers that write the preferred unit cost
(migration 0007) update the margin with it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

MARGIN = (
    "CASE WHEN regular_price > 0 AND preferred_unit_cost IS NOT NULL "
    "THEN round((regular_price - preferred_unit_cost) * 100.0 / regular_price, 2) END"
)
PRICE = ["data_set_id", "regular_price", "id"]


def upgrade() -> None:
    stored = op.get_bind().dialect.name != "sqlite"
    op.add_column(
        "product",
        sa.Column("margin_percent", sa.Numeric(14, 2), sa.Computed(MARGIN, persisted=stored)),
    )
    op.create_index("ix_product_margin", "product", ["data_set_id", "margin_percent", "id"])
    op.create_index(
        "ix_product_department_margin",
        "product",
        ["data_set_id", "department_id", "margin_percent", "id"],
    )
    op.drop_index("ix_product_regular_price", table_name="product")
    op.create_index("ix_product_regular_price", "product", [*PRICE, "margin_percent"])


def downgrade() -> None:
    op.drop_index("ix_product_regular_price", table_name="product")
    op.create_index("ix_product_regular_price", "product", [*PRICE, "preferred_unit_cost"])
    op.drop_index("ix_product_department_margin", table_name="product")
    op.drop_index("ix_product_margin", table_name="product")
    op.drop_column("product", "margin_percent")
