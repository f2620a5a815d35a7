"""Step progress per data set: a step is done when it last completed, stale when one of
its inputs changed after that."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from poser.models.orm import DataSet, InputChange, StepRun
from poser.tasks.sessions import session_of
from poser.utils.timeutil import utcnow


def mark_step_done(data_set: DataSet, step: str, at: datetime | None = None) -> None:
    session = session_of(data_set)
    row = session.get(StepRun, (data_set.id, step))
    if row is None:
        session.add(StepRun(data_set_id=data_set.id, step=step, completed_at=at or utcnow()))
    else:
        row.completed_at = at or utcnow()
    session.flush()


def touch_inputs(data_set: DataSet, names: Iterable[str], at: datetime | None = None) -> None:
    """Record that these inputs changed now, so steps that used them become stale."""
    session = session_of(data_set)
    when = at or utcnow()
    for name in names:
        row = session.get(InputChange, (data_set.id, name))
        if row is None:
            session.add(InputChange(data_set_id=data_set.id, name=name, changed_at=when))
        else:
            row.changed_at = when
    session.flush()
