"""Step progress per data set: a step is done when it last completed, stale when one of
its inputs changed after that."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session, object_session

from poser.models.orm import DataSet, InputChange, StepRun
from poser.utils.timeutil import utcnow


def _session(data_set: DataSet) -> Session:
    session = object_session(data_set)
    if session is None:
        raise ValueError("the data set must belong to a session")
    return session


def mark_step_done(data_set: DataSet, step: str, at: datetime | None = None) -> None:
    session = _session(data_set)
    row = session.get(StepRun, (data_set.id, step))
    if row is None:
        session.add(StepRun(data_set_id=data_set.id, step=step, completed_at=at or utcnow()))
    else:
        row.completed_at = at or utcnow()
    session.flush()


def touch_inputs(data_set: DataSet, names: Iterable[str], at: datetime | None = None) -> None:
    """Record that these inputs changed now, so steps that used them become stale."""
    session = _session(data_set)
    when = at or utcnow()
    for name in names:
        row = session.get(InputChange, (data_set.id, name))
        if row is None:
            session.add(InputChange(data_set_id=data_set.id, name=name, changed_at=when))
        else:
            row.changed_at = when
    session.flush()
