"""The grid engine's sample table and the grid widget's.

Revision ID: g001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from poser.models.orm.meta import UTCDateTime

revision = "g001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grid_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("data_set_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("price", sa.Numeric(10, 2)),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added", sa.Date()),
        sa.Column("seen_at", sa.DateTime()),
        sa.Column("changed_at", UTCDateTime()),
        sa.Column("kind", sa.String(10), nullable=False),
    )
    op.create_table(
        "grid_widget_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("price", sa.Numeric(10, 2)),
        sa.Column("active", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("grid_widget_item")
    op.drop_table("grid_item")
