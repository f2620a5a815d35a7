"""feed_run: the runs of a data set's storefront product feed

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 16:00:00.000000

Each run of the product feed, nightly or started by hand: its job (who, when, how it
ended) and the export it wrote, until that is no longer kept. A nightly run names its
night, unique per data set: the scheduler claims a night by inserting its run, so a
night is written once however many schedulers look (NULLs, the runs by hand, are
distinct on both databases). A new table: no other is touched; a data set's copy does
not copy it.
"""

import sqlalchemy as sa
from alembic import op

from poser.models.orm.meta import UTCDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("night", sa.Date(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("export_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("data_set_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_set_id"],
            ["data_set.id"],
            name=op.f("fk_feed_run_data_set_id_data_set"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["export.id"],
            name=op.f("fk_feed_run_export_id_export"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_feed_run_job_id_job"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_run")),
        sa.UniqueConstraint("data_set_id", "night", name="uq_feed_run_night"),
    )
    op.create_index(op.f("ix_feed_run_data_set_id"), "feed_run", ["data_set_id"], unique=False)
    op.create_index(op.f("ix_feed_run_export_id"), "feed_run", ["export_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_feed_run_export_id"), table_name="feed_run")
    op.drop_index(op.f("ix_feed_run_data_set_id"), table_name="feed_run")
    op.drop_table("feed_run")
