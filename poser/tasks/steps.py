"""Step progress per data set: a step is done when it last completed, stale when one of
its inputs changed after that.

Both records are one row per (data set, name), written by an upsert (INSERT ... ON
CONFLICT DO UPDATE, which SQLite and PostgreSQL both have): two requests that change
the same input at once, the first time it changes, would otherwise both find no row
and both insert one, and on PostgreSQL the second insert fails on the primary key.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from poser.models.orm import DataSet, InputChange, StepRun
from poser.tasks.sessions import session_of
from poser.utils.timeutil import utcnow

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def mark_step_done(data_set: DataSet, step: str, at: datetime | None = None) -> None:
    _upsert(session_of(data_set), StepRun, data_set.id, step=step, completed_at=at or utcnow())


def touch_inputs(data_set: DataSet, names: Iterable[str], at: datetime | None = None) -> None:
    """Record that these inputs changed now, so steps that used them become stale."""
    session = session_of(data_set)
    when = at or utcnow()
    for name in names:
        _upsert(session, InputChange, data_set.id, name=name, changed_at=when)


def _upsert(session: Session, model: Any, data_set_id: int, **values: Any) -> None:
    """The row of ``model`` keyed by the data set and the first of ``values``, set to
    ``values``, whether or not it was there."""
    key, *_ = values
    insert = _INSERTS[session.get_bind().dialect.name](model)
    statement = insert.values(data_set_id=data_set_id, **values).on_conflict_do_update(
        index_elements=["data_set_id", key],
        set_={name: value for name, value in values.items() if name != key},
    )
    session.execute(statement)
    loaded = session.identity_map.get(session.identity_key(model, (data_set_id, values[key])))
    if loaded is not None:
        session.expire(loaded)  # the row as it is now, when next read
