"""upgrade: the record of each `poser upgrade run`

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 14:00:00.000000

One row per upgrade of the site: who ran it and when, its status and exit code, the
schema revisions before and after and the migrations it applied. Its packages before
and after and the command's output are files under data/upgrades/<id>/. A new table,
so nothing is copied and nothing that refers to another table is touched.
"""

import sqlalchemy as sa
from alembic import op

import poser.models.orm.meta

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "upgrade",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("run_by", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("revision_before", sa.String(length=32), nullable=True),
        sa.Column("revision_after", sa.String(length=32), nullable=True),
        sa.Column("migrations", sa.JSON(), nullable=False),
        sa.Column("started_at", poser.models.orm.meta.UTCDateTime(), nullable=False),
        sa.Column("finished_at", poser.models.orm.meta.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'succeeded', 'failed', 'interrupted')",
            name=op.f("ck_upgrade_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upgrade")),
    )
    op.create_index(op.f("ix_upgrade_started_at"), "upgrade", ["started_at"], unique=False)
    op.create_index(op.f("ix_upgrade_status"), "upgrade", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_upgrade_status"), table_name="upgrade")
    op.drop_index(op.f("ix_upgrade_started_at"), table_name="upgrade")
    op.drop_table("upgrade")
