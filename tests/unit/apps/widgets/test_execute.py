"""ExecuteFunction runs a task it is handed, never a kind named by a string."""

from __future__ import annotations

import pytest

from poser.apps.gui.batches import BatchApply
from poser.apps.widgets.execute import ExecuteFunction
from poser.tasks.batches import jobs as batch_jobs
from poser.tasks.job_kinds import kind_of
from tests import sample_jobs


def test_the_widget_runs_the_task_or_the_kind_it_is_handed() -> None:
    kind = kind_of(sample_jobs.touch)
    assert ExecuteFunction("run", kind=sample_jobs.touch).job_kind is kind
    assert ExecuteFunction("run", kind=kind).job_kind is kind
    assert BatchApply("apply").job_kind is kind_of(batch_jobs.execute)


def test_a_kind_named_by_a_string_is_refused_when_the_widget_is_made() -> None:
    with pytest.raises(TypeError, match="is not a job kind"):
        ExecuteFunction("run", kind="sample.touch")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="is not a job kind"):
        BatchApply("apply", kind="batches.execute")  # type: ignore[arg-type]


def test_a_widget_with_no_task_says_so_when_used() -> None:
    widget = ExecuteFunction("run")
    with pytest.raises(ValueError, match=r"widget 'run': name the task it runs \(kind=\)"):
        _ = widget.job_kind
