from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from poser.models.data_extraction.parameters import stored_parameters
from poser.models.data_extraction.steps import step_states
from poser.tasks.datasets import create_data_set
from poser.tasks.parameters import save_parameters
from poser.tasks.steps import mark_step_done, touch_inputs
from poser.utils.timeutil import utcnow


def test_step_states_follow_completions_and_input_changes(dbsession: Session) -> None:
    data_set = create_data_set(dbsession, "Store", "demo", None)
    steps = {"options": (), "apply": ("options", "catalog"), "report": ("apply",)}
    assert set(step_states(dbsession, data_set.id, steps).values()) == {"not started"}
    start = utcnow()
    mark_step_done(data_set, "apply", at=start)
    touch_inputs(data_set, ["catalog"], at=start - timedelta(minutes=1))
    assert step_states(dbsession, data_set.id, steps)["apply"] == "done"
    touch_inputs(data_set, ["catalog"], at=start + timedelta(minutes=1))
    assert step_states(dbsession, data_set.id, steps)["apply"] == "stale"
    mark_step_done(data_set, "apply", at=start + timedelta(minutes=2))
    assert step_states(dbsession, data_set.id, steps) == {
        "options": "not started", "apply": "done", "report": "not started",
    }  # fmt: skip


def test_saving_parameters_reports_changes_and_touches_the_group(dbsession: Session) -> None:
    data_set = create_data_set(dbsession, "Store", "demo", None)
    assert sorted(save_parameters(data_set, "options", {"a": 1, "b": "x"})) == ["a", "b"]
    mark_step_done(data_set, "apply")
    assert save_parameters(data_set, "options", {"a": 1, "b": "x"}) == []
    assert step_states(dbsession, data_set.id, {"apply": ("options",)})["apply"] == "done"
    assert save_parameters(data_set, "options", {"a": 2}) == ["a"]
    assert step_states(dbsession, data_set.id, {"apply": ("options",)})["apply"] == "stale"
    assert stored_parameters(dbsession, data_set.id) == {"a": 2, "b": "x"}
