"""product grid index: each vendor's preferred costs, by product

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 12:00:00.000000

The grid's vendor filter lists the products whose preferred cost is a vendor's: a
partial index holds just those pairs, so the list is read from the index alone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_product_cost_preferred_vendor",
        "product_cost",
        ["vendor_id", "product_id"],
        sqlite_where=sa.text("preferred = 1"),
        postgresql_where=sa.text("preferred"),
    )


def downgrade() -> None:
    op.drop_index("ix_product_cost_preferred_vendor", table_name="product_cost")
