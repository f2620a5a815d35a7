"""inventory_batch_row: the lines of an inventory count batch

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 14:00:00.000000

One row per counted line (a scanner file's or a typed one), compared with the
product's on-hand when the count was read: the variance in units, at cost and at
retail, what the apply sets on-hand to, and whether on-hand moved since. A new table,
so nothing is copied and no table that refers to another is touched; like catalog
rows, its rows stay with their batch and are not copied with a data set.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inventory_batch_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("data_set_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("upc_text", sa.String(length=50), nullable=False),
        sa.Column("upc", sa.String(length=14), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("section", sa.String(length=50), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("quantity_units", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("counted_units", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("on_hand_before", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("new_on_hand", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("unit_cost", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("unit_price", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("variance_units", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("variance_percent", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("variance_cost", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("variance_retail", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("flagged", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("excluded", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("excluded_by_id", sa.Integer(), nullable=True),
        sa.Column("exclude_reason", sa.String(length=200), nullable=True),
        sa.Column("moved_since", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batch.id"],
            name=op.f("fk_inventory_batch_row_batch_id_batch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["data_set_id"],
            ["data_set.id"],
            name=op.f("fk_inventory_batch_row_data_set_id_data_set"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_inventory_batch_row_product_id_product"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_batch_row")),
    )
    op.create_index(
        "ix_inventory_batch_row_product",
        "inventory_batch_row",
        ["batch_id", "product_id", "id"],
        unique=False,
    )
    op.create_index(
        "ix_inventory_batch_row_status",
        "inventory_batch_row",
        ["batch_id", "status", "variance_cost", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_inventory_batch_row_status", table_name="inventory_batch_row")
    op.drop_index("ix_inventory_batch_row_product", table_name="inventory_batch_row")
    op.drop_table("inventory_batch_row")
