"""batch: a version that moves on with every change, and the date it is scheduled for

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 07:00:00.000000

The Apply, Acknowledge and Delete forms send the batch's id and version; a batch whose
version moved on since the page was shown (read again, acknowledged, scheduled,
applied) is refused. A batch whose costs take effect on a later date can be scheduled:
the scheduler applies it on ``scheduled_for`` as ``scheduled_by``, if it is still at
``scheduled_version`` then; otherwise it drops the schedule and says why in
``schedule_note``.

Columns are added and dropped in place (SQLite 3.35 and later drop a column without
copying the table): batch mode would copy ``batch`` and drop the original, and that
DROP deletes every row of the batches' row tables through their ON DELETE CASCADE. For
the same reason ``scheduled_by_id`` has no foreign key (SQLite adds one only by copying
the table): users are never deleted, and the scheduler drops a schedule whose user it
cannot find.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

COLUMNS = (
    "version",
    "scheduled_for",
    "scheduled_by_id",
    "scheduled_version",
    "scheduled_step",
    "schedule_note",
)


def upgrade() -> None:
    op.add_column("batch", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("batch", sa.Column("scheduled_for", sa.Date()))
    op.add_column("batch", sa.Column("scheduled_by_id", sa.Integer()))
    op.add_column("batch", sa.Column("scheduled_version", sa.Integer()))
    op.add_column("batch", sa.Column("scheduled_step", sa.String(100)))
    op.add_column("batch", sa.Column("schedule_note", sa.Text()))
    op.create_index("ix_batch_scheduled_for", "batch", ["scheduled_for"])


def downgrade() -> None:
    op.drop_index("ix_batch_scheduled_for", table_name="batch")
    for column in reversed(COLUMNS):
        op.drop_column("batch", column)
