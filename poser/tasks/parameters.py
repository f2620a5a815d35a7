"""Parameter values per data set, stored as JSON. Callers convert types (apps.parameters)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from poser.models.orm import DataSet, ParameterValue
from poser.tasks.sessions import session_of
from poser.tasks.steps import touch_inputs
from poser.utils.timeutil import utcnow


def save_parameters(data_set: DataSet, group: str, values: Mapping[str, Any]) -> list[str]:
    """Store ``values`` (JSON-ready); returns the names that changed. If any did, the
    group counts as a changed input, so the steps that used it become stale."""
    session = session_of(data_set)
    now = utcnow()
    changed = []
    for name, value in values.items():
        row = session.get(ParameterValue, (data_set.id, name))
        if row is None:
            session.add(ParameterValue(data_set_id=data_set.id, name=name, value=value))
            changed.append(name)
        elif row.value != value:
            row.value, row.changed_at = value, now
            changed.append(name)
    session.flush()
    if changed:
        touch_inputs(data_set, [group], at=now)
    return changed
