"""The Tally sample's tables: a batch's rows and the tallies (see ../tables.py).

Revision ID: t001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "t001"
down_revision = None


def _refers_to(name: str, target: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "sample_tally_row",
        sa.Column("id", sa.Integer(), primary_key=True),
        _refers_to("data_set_id", "data_set.id"),
        _refers_to("batch_id", "batch.id"),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("quantity", sa.Integer()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("message", sa.String(200), nullable=False),
    )
    op.create_index("ix_sample_tally_row_batch", "sample_tally_row", ["batch_id", "status"])
    op.create_table(
        "sample_tally",
        sa.Column("id", sa.Integer(), primary_key=True),
        _refers_to("data_set_id", "data_set.id"),
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.UniqueConstraint("data_set_id", "code", name="uq_sample_tally"),
    )


def downgrade() -> None:
    op.drop_table("sample_tally")
    op.drop_index("ix_sample_tally_row_batch", "sample_tally_row")
    op.drop_table("sample_tally_row")
