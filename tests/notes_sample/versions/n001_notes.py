"""The Notes tables: notebooks and their notes, each in a data set (see ../tables.py).

Revision ID: n001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "n001"
down_revision = None


def _refers_to(name: str, target: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "sample_notebook",
        sa.Column("id", sa.Integer(), primary_key=True),
        _refers_to("data_set_id", "data_set.id"),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.UniqueConstraint("data_set_id", "code", name="uq_sample_notebook"),
    )
    op.create_table(
        "sample_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        _refers_to("data_set_id", "data_set.id"),
        _refers_to("notebook_id", "sample_notebook.id"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("priority", sa.Integer()),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.Numeric(8, 2)),
        sa.UniqueConstraint("data_set_id", "notebook_id", "number", name="uq_sample_note"),
    )


def downgrade() -> None:
    op.drop_table("sample_note")
    op.drop_table("sample_notebook")
