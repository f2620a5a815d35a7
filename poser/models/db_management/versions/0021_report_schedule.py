"""report_schedule: reports a data set runs daily, weekly or monthly

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 14:00:00.000000

One schedule per report and data set: how often, the run's parameters, who set it
(whom its runs act for) and the day its last run was queued for, which the scheduler
moves on in the statement that claims the day, so a day runs once. A new table: no
other is touched; a data set's copy does not copy it.
"""

import sqlalchemy as sa
from alembic import op

from poser.models.orm.meta import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report", sa.String(length=50), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_run_on", sa.Date(), nullable=True),
        sa.Column("data_set_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "frequency IN ('daily', 'weekly', 'monthly')",
            name=op.f("ck_report_schedule_frequency"),
        ),
        sa.ForeignKeyConstraint(
            ["data_set_id"],
            ["data_set.id"],
            name=op.f("fk_report_schedule_data_set_id_data_set"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_report_schedule_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_schedule")),
        sa.UniqueConstraint("data_set_id", "report", name="uq_report_schedule_report"),
    )
    op.create_index(
        op.f("ix_report_schedule_data_set_id"), "report_schedule", ["data_set_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_report_schedule_data_set_id"), table_name="report_schedule")
    op.drop_table("report_schedule")
