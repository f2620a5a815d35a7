"""The Notes Application's tables: notebooks and their notes.

Revision ID: n001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "n001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sample_notebook",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "data_set_id",
            sa.Integer(),
            sa.ForeignKey("data_set.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.UniqueConstraint("data_set_id", "code", name="uq_sample_notebook_code"),
    )
    op.create_index("ix_sample_notebook_data_set_id", "sample_notebook", ["data_set_id"])
    op.create_table(
        "sample_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "data_set_id",
            sa.Integer(),
            sa.ForeignKey("data_set.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "notebook_id",
            sa.Integer(),
            sa.ForeignKey("sample_notebook.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("priority", sa.Integer()),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.Numeric(8, 2)),
        sa.UniqueConstraint("data_set_id", "notebook_id", "number", name="uq_sample_note_number"),
    )
    op.create_index("ix_sample_note_data_set_id", "sample_note", ["data_set_id"])


def downgrade() -> None:
    op.drop_table("sample_note")
    op.drop_table("sample_notebook")
