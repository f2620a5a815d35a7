"""product grid indexes: a department's products by price

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 08:45:00.000000

The new index starts with the columns of the one it replaces, so it serves every query
that one did.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_product_department_price",
        "product",
        ["data_set_id", "department_id", "regular_price"],
    )
    op.drop_index("ix_product_department", table_name="product")


def downgrade() -> None:
    op.create_index("ix_product_department", "product", ["data_set_id", "department_id"])
    op.drop_index("ix_product_department_price", table_name="product")
