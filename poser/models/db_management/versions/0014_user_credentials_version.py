"""user_account: a credentials version that every session of the user carries

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 07:00:00.000000

A session remembers the version of its user's credentials at login; changing the
password or disabling the user moves the version on, and a session that carries an
older one no longer identifies anyone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as table:
        table.add_column(
            sa.Column("credentials_version", sa.Integer(), nullable=False, server_default="1")
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account") as table:
        table.drop_column("credentials_version")
