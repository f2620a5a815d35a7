"""user_account: a credentials version that every session of the user carries; and
beaker_cache, where the database session backend keeps sessions

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 07:00:00.000000

A session remembers the version of its user's credentials at login; changing the
password or disabling the user moves the version on, and a session that carries an
older one no longer identifies anyone.

`session.type = ext:database` keeps sessions in beaker's table `beaker_cache`, with
beaker's columns; made here, beaker finds it and does not create it on its own.

The column is added and dropped in place (SQLite 3.35 and later drop a column without
copying the table): batch mode would copy ``user_account`` and drop the original, and
that DROP deletes every data set membership through its ON DELETE CASCADE.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "user_account",
        sa.Column("credentials_version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_table(
        "beaker_cache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("accessed", sa.DateTime(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_beaker_cache")),
        sa.UniqueConstraint("namespace", name=op.f("uq_beaker_cache_namespace")),
    )


def downgrade() -> None:
    op.drop_table("beaker_cache")
    op.drop_column("user_account", "credentials_version")
