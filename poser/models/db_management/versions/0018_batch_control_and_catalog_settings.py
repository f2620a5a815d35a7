"""batch: kept when deleted, excluded rows, reverts; vendor and department settings

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 13:00:00.000000

A deleted batch keeps its ``batch`` row (``deleted_at``, ``deleted_by_id``) and loses
its rows and files: its number is never given to another batch (SQLite gives the
highest rowid again once its row is gone), and logs and reports that name it still
mean one batch. A batch that undoes another names it in ``reverts_batch_id``.

A catalog row can be left out of the apply (``excluded``) with who and why.

A vendor remembers the column mapping of its last upload (``column_mapping``) and
the department its new items go to (``default_department_id``); a department has
the margin it aims for (``target_margin``, a percent of the price).

Every column is added in place: batch mode would copy ``batch`` and ``vendor`` and
drop the originals, and those DROPs delete the rows that refer to them through ON
DELETE CASCADE (migration 0015). For the same reason the new references have no
foreign key; the tasks that delete a department or a user clear them.
"""

import sqlalchemy as sa
from alembic import op

import poser.models.orm.meta

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("batch", sa.Column("deleted_at", poser.models.orm.meta.UTCDateTime()))
    op.add_column("batch", sa.Column("deleted_by_id", sa.Integer()))
    op.add_column("batch", sa.Column("reverts_batch_id", sa.Integer()))
    op.add_column(
        "catalog_batch_row",
        sa.Column("excluded", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("catalog_batch_row", sa.Column("excluded_by_id", sa.Integer()))
    op.add_column("catalog_batch_row", sa.Column("exclude_reason", sa.String(200)))
    op.add_column("vendor", sa.Column("default_department_id", sa.Integer()))
    op.add_column("vendor", sa.Column("column_mapping", sa.JSON()))
    op.add_column("department", sa.Column("target_margin", sa.Numeric(5, 2)))


def downgrade() -> None:
    op.drop_column("department", "target_margin")
    op.drop_column("vendor", "column_mapping")
    op.drop_column("vendor", "default_department_id")
    op.drop_column("catalog_batch_row", "exclude_reason")
    op.drop_column("catalog_batch_row", "excluded_by_id")
    op.drop_column("catalog_batch_row", "excluded")
    op.drop_column("batch", "reverts_batch_id")
    op.drop_column("batch", "deleted_by_id")
    op.drop_column("batch", "deleted_at")
