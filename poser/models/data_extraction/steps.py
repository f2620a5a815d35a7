from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import InputChange, StepRun

NOT_STARTED, DONE, STALE = "not started", "done", "stale"


def step_states(
    dbsession: Session, data_set_id: int, steps: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    """State of each step (slug -> its inputs): not started, done, or stale."""
    done = dict(
        dbsession.execute(
            select(StepRun.step, StepRun.completed_at).where(StepRun.data_set_id == data_set_id)
        ).all()
    )
    changed = dict(
        dbsession.execute(
            select(InputChange.name, InputChange.changed_at).where(
                InputChange.data_set_id == data_set_id
            )
        ).all()
    )
    states = {}
    for step, inputs in steps.items():
        completed = done.get(step)
        if completed is None:
            states[step] = NOT_STARTED
        elif any(changed.get(name) and changed[name] > completed for name in inputs):
            states[step] = STALE
        else:
            states[step] = DONE
    return states
