"""batch: a version that moves on with every change, so a page can name what it showed

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 07:00:00.000000

The Apply form sends the batch's id and version; the apply refuses a batch whose
version moved on since the page was shown (read again, acknowledged, deleted).
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batch") as table:
        table.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("batch") as table:
        table.drop_column("version")
