"""batches, cost history and exports

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 08:28:19.772323
"""

import sqlalchemy as sa
from alembic import op

import poser.models.orm.meta

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_type", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("input_key", sa.String(length=500), nullable=True),
        sa.Column("input_filename", sa.String(length=255), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("status_counts", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", poser.models.orm.meta.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("populated_at", poser.models.orm.meta.UTCDateTime(), nullable=True),
        sa.Column("acknowledged_at", poser.models.orm.meta.UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("executed_at", poser.models.orm.meta.UTCDateTime(), nullable=True),
        sa.Column("executed_by_id", sa.Integer(), nullable=True),
        sa.Column("execution_summary", sa.JSON(), nullable=True),
        sa.Column("data_set_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('new', 'populated', 'failed', 'executed')", name=op.f("ck_batch_status")
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["user_account.id"],
            name=op.f("fk_batch_acknowledged_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_batch_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["data_set_id"],
            ["data_set.id"],
            name=op.f("fk_batch_data_set_id_data_set"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["executed_by_id"],
            ["user_account.id"],
            name=op.f("fk_batch_executed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch")),
    )
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batch_data_set_id"), ["data_set_id"], unique=False)
        batch_op.create_index(
            "ix_batch_data_set_type", ["data_set_id", "batch_type", "id"], unique=False
        )

    op.create_table(
        "batch_execution",
        sa.Column("batch_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("executed_at", poser.models.orm.meta.UTCDateTime(), nullable=False),
        sa.Column("executed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batch.id"],
            name=op.f("fk_batch_execution_batch_id_batch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["executed_by_id"],
            ["user_account.id"],
            name=op.f("fk_batch_execution_executed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_batch_execution")),
    )
    op.create_table(
        "export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("export_type", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", poser.models.orm.meta.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("data_set_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batch.id"], name=op.f("fk_export_batch_id_batch"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_export_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["data_set_id"],
            ["data_set.id"],
            name=op.f("fk_export_data_set_id_data_set"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export")),
    )
    with op.batch_alter_table("export", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            "ix_export_data_set_created", ["data_set_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_export_data_set_id"), ["data_set_id"], unique=False)

    op.create_table(
        "catalog_batch_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("upc_text", sa.String(length=50), nullable=False),
        sa.Column("upc", sa.String(length=14), nullable=True),
        sa.Column("vendor_item_code", sa.String(length=50), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("brand", sa.String(length=100), nullable=False),
        sa.Column("size", sa.String(length=50), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("case_size", sa.Integer(), nullable=True),
        sa.Column("case_cost", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("unit_cost", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("old_vendor_item_code", sa.String(length=50), nullable=True),
        sa.Column("old_case_size", sa.Integer(), nullable=True),
        sa.Column("old_case_cost", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("old_unit_cost", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("cost_change", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("cost_change_percent", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("flagged", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data_set_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batch.id"],
            name=op.f("fk_catalog_batch_row_batch_id_batch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["data_set_id"],
            ["data_set.id"],
            name=op.f("fk_catalog_batch_row_data_set_id_data_set"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_catalog_batch_row_product_id_product"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_batch_row")),
    )
    with op.batch_alter_table("catalog_batch_row", schema=None) as batch_op:
        batch_op.create_index(
            "ix_catalog_batch_row_change", ["batch_id", "cost_change", "id"], unique=False
        )
        batch_op.create_index(
            "ix_catalog_batch_row_status",
            ["batch_id", "status", "cost_change", "id"],
            unique=False,
        )
        batch_op.create_index("ix_catalog_batch_row_upc", ["batch_id", "upc"], unique=False)

    op.create_table(
        "cost_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("old_unit_cost", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("new_unit_cost", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.Column("old_case_cost", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("new_case_cost", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("old_case_size", sa.Integer(), nullable=True),
        sa.Column("new_case_size", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", poser.models.orm.meta.UTCDateTime(), nullable=False),
        sa.Column("data_set_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batch.id"],
            name=op.f("fk_cost_history_batch_id_batch"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_cost_history_changed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["data_set_id"],
            ["data_set.id"],
            name=op.f("fk_cost_history_data_set_id_data_set"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_cost_history_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendor.id"],
            name=op.f("fk_cost_history_vendor_id_vendor"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_history")),
    )
    with op.batch_alter_table("cost_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cost_history_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cost_history_data_set_id"), ["data_set_id"], unique=False
        )
        batch_op.create_index("ix_cost_history_product", ["product_id", "changed_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("cost_history", schema=None) as batch_op:
        batch_op.drop_index("ix_cost_history_product")
        batch_op.drop_index(batch_op.f("ix_cost_history_data_set_id"))
        batch_op.drop_index(batch_op.f("ix_cost_history_batch_id"))

    op.drop_table("cost_history")
    with op.batch_alter_table("catalog_batch_row", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_batch_row_upc")
        batch_op.drop_index("ix_catalog_batch_row_status")
        batch_op.drop_index("ix_catalog_batch_row_change")

    op.drop_table("catalog_batch_row")
    with op.batch_alter_table("export", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_data_set_id"))
        batch_op.drop_index("ix_export_data_set_created")
        batch_op.drop_index(batch_op.f("ix_export_batch_id"))

    op.drop_table("export")
    op.drop_table("batch_execution")
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_index("ix_batch_data_set_type")
        batch_op.drop_index(batch_op.f("ix_batch_data_set_id"))

    op.drop_table("batch")
