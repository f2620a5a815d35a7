"""step_run and batch.scheduled_step name a step with its Application

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 03:00:00.000000

A step was named by its slug alone, and the vendor catalogs and the inventory counts,
which work on the same data sets, both have an "apply" step: applying a catalog
marked the count's Apply step done too. A step is now "<application>/<slug>". The
only step that records its runs is each batch type's Apply, so a stored "apply"
belongs to the Application of the data set's applied batches (a data set that
applied both kinds keeps the mark on both), and a batch's scheduled step to its own
type's. The batch types' Applications share their names (catalog, inventory).
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

#: Each batch type's Application, as named when this migration was written.
APPLICATIONS = ("catalog", "inventory")

APPLIED = sa.text(
    "INSERT INTO step_run (data_set_id, step, completed_at)"
    " SELECT step_run.data_set_id, :application || '/apply', step_run.completed_at"
    " FROM step_run WHERE step_run.step = 'apply' AND EXISTS ("
    " SELECT 1 FROM batch WHERE batch.data_set_id = step_run.data_set_id"
    " AND batch.batch_type = :application AND batch.status = 'executed')"
)
SCHEDULED = sa.text(
    "UPDATE batch SET scheduled_step = :application || '/' || scheduled_step"
    " WHERE batch_type = :application AND scheduled_step IS NOT NULL"
    " AND scheduled_step NOT LIKE '%/%'"
)
# Downgrade: each Apply's latest run becomes the data set's one "apply".
ONE_APPLY = sa.text(
    "INSERT INTO step_run (data_set_id, step, completed_at)"
    " SELECT data_set_id, 'apply', max(completed_at) FROM step_run"
    " WHERE step LIKE '%/apply' GROUP BY data_set_id"
)
SCHEDULED_SLUG = sa.text(
    "UPDATE batch SET scheduled_step = substr(scheduled_step, length(:application) + 2)"
    " WHERE batch_type = :application AND scheduled_step LIKE :application || '/%'"
)


def upgrade() -> None:
    for application in APPLICATIONS:
        op.execute(APPLIED.bindparams(application=application))
        op.execute(SCHEDULED.bindparams(application=application))
    op.execute("DELETE FROM step_run WHERE step = 'apply'")


def downgrade() -> None:
    op.execute(ONE_APPLY)
    op.execute("DELETE FROM step_run WHERE step LIKE '%/%'")
    for application in APPLICATIONS:
        op.execute(SCHEDULED_SLUG.bindparams(application=application))
