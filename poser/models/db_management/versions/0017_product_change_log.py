"""product_change: one change log for products, taking in cost_history

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 11:00:00.000000

Every change to a product (a vendor's cost, the price, on hand, description, brand,
size, department, active; a product a batch adds) is a row of ``product_change``,
written by the task that makes it, whichever page, batch, command or job asks. The
product page shows it as the product's timeline.

``cost_history`` held the cost changes of catalog batches; its rows move into the log
as changes of field ``cost``, made by their batch (which line of the batch is not
known for them), and the table goes: one log, not two. Going back makes it again
from the log's cost changes (a cost whose vendor was deleted since has no vendor to
go back to and is left out) and drops the log.

The log has one index, for a product's timeline, and no CHECK on its field or source
(the tasks that write it use fixed values): a catalog's apply writes a row per
change, and every index is one more write per row; on SQLite a CHECK against a list
doubled the time its 90,000 changes took to log. Nothing references either table,
so creating and dropping them copies no other table.
"""

import sqlalchemy as sa
from alembic import op

import poser.models.orm.meta

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

COSTS = (
    "data_set_id, product_id, vendor_id, old_unit_cost, new_unit_cost, old_case_cost, "
    "new_case_cost, old_case_size, new_case_size, batch_id, changed_by_id, changed_at"
)


def upgrade() -> None:
    op.create_table(
        "product_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("data_set_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", poser.models.orm.meta.UTCDateTime(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("old_value", sa.String(length=200), nullable=True),
        sa.Column("new_value", sa.String(length=200), nullable=True),
        sa.Column("old_unit_cost", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("new_unit_cost", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("old_case_cost", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("new_case_cost", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("old_case_size", sa.Integer(), nullable=True),
        sa.Column("new_case_size", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("batch_row_id", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("page", sa.String(length=200), nullable=True),
        sa.Column("command", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_product_change_changed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["data_set_id"],
            ["data_set.id"],
            name=op.f("fk_product_change_data_set_id_data_set"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_product_change_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendor.id"],
            name=op.f("fk_product_change_vendor_id_vendor"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_change")),
    )
    op.create_index(
        "ix_product_change_product", "product_change", ["product_id", "changed_at", "id"]
    )
    # In the order they were written, so the log's ids keep it.
    op.execute(
        f"INSERT INTO product_change ({COSTS}, field, source)"  # noqa: S608 - constants
        f" SELECT {COSTS}, 'cost', 'batch' FROM cost_history ORDER BY id"
    )
    op.drop_table("cost_history")


def downgrade() -> None:
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
    op.create_index(op.f("ix_cost_history_batch_id"), "cost_history", ["batch_id"])
    op.create_index(op.f("ix_cost_history_data_set_id"), "cost_history", ["data_set_id"])
    op.create_index("ix_cost_history_product", "cost_history", ["product_id", "changed_at"])
    # A batch id that names no batch (the log keeps no foreign key) goes back as NULL.
    op.execute(
        f"INSERT INTO cost_history ({COSTS})"  # noqa: S608 - constants
        " SELECT data_set_id, product_id, vendor_id, old_unit_cost, new_unit_cost,"
        " old_case_cost, new_case_cost, old_case_size, new_case_size,"
        " (SELECT batch.id FROM batch WHERE batch.id = product_change.batch_id),"
        " changed_by_id, changed_at FROM product_change"
        " WHERE field = 'cost' AND vendor_id IS NOT NULL AND new_unit_cost IS NOT NULL"
        " AND new_case_cost IS NOT NULL AND new_case_size IS NOT NULL ORDER BY id"
    )
    op.drop_index("ix_product_change_product", table_name="product_change")
    op.drop_table("product_change")
