"""products domain: departments, vendors, products, product costs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 06:34:36.175037
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _data_set_id(table: str) -> sa.Column:
    return sa.Column(
        "data_set_id",
        sa.Integer(),
        sa.ForeignKey(
            "data_set.id", name=op.f(f"fk_{table}_data_set_id_data_set"), ondelete="CASCADE"
        ),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "department",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        _data_set_id("department"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department")),
        sa.UniqueConstraint("data_set_id", "number", name="uq_department_number"),
    )
    op.create_index(op.f("ix_department_data_set_id"), "department", ["data_set_id"])

    op.create_table(
        "vendor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        _data_set_id("vendor"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor")),
        sa.UniqueConstraint("data_set_id", "code", name="uq_vendor_code"),
    )
    op.create_index(op.f("ix_vendor_data_set_id"), "vendor", ["data_set_id"])

    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("upc", sa.String(length=14), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("brand", sa.String(length=100), nullable=False),
        sa.Column("size", sa.String(length=50), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("regular_price", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("on_hand", sa.Numeric(precision=12, scale=3), nullable=False),
        # sa.true() renders as each database spells it (1 on SQLite, true on PostgreSQL).
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        _data_set_id("product"),
        sa.CheckConstraint(
            "regular_price >= 0", name=op.f("ck_product_regular_price_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_product_department_id_department"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("data_set_id", "upc", name="uq_product_upc"),
    )
    op.create_index(op.f("ix_product_data_set_id"), "product", ["data_set_id"])
    op.create_index("ix_product_department", "product", ["data_set_id", "department_id"])
    op.create_index("ix_product_description", "product", ["data_set_id", "description"])
    op.create_index("ix_product_brand", "product", ["data_set_id", "brand"])
    op.create_index("ix_product_regular_price", "product", ["data_set_id", "regular_price"])

    op.create_table(
        "product_cost",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("vendor_item_code", sa.String(length=50), nullable=False),
        sa.Column("case_size", sa.Integer(), nullable=False),
        sa.Column("case_cost", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.Column("preferred", sa.Boolean(), server_default=sa.false(), nullable=False),
        _data_set_id("product_cost"),
        sa.CheckConstraint("case_size > 0", name=op.f("ck_product_cost_case_size_positive")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_product_cost_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendor.id"],
            name=op.f("fk_product_cost_vendor_id_vendor"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_cost")),
        sa.UniqueConstraint(
            "product_id", "vendor_id", "data_set_id", name="uq_product_cost_vendor"
        ),
    )
    op.create_index(op.f("ix_product_cost_data_set_id"), "product_cost", ["data_set_id"])
    op.create_index(
        "ix_product_cost_vendor_item", "product_cost", ["vendor_id", "vendor_item_code"]
    )
    op.create_index(
        "uq_product_cost_preferred",
        "product_cost",
        ["product_id"],
        unique=True,
        sqlite_where=sa.text("preferred = 1"),
        postgresql_where=sa.text("preferred"),
    )


def downgrade() -> None:
    # Dropping a table drops its indexes.
    op.drop_table("product_cost")
    op.drop_table("product")
    op.drop_table("vendor")
    op.drop_table("department")
