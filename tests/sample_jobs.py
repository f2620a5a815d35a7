"""Job kinds for tests: real tasks that write to the database and report progress.

Workers in tests import this module through `poser.job_modules`.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.orm import object_session

from poser.models.orm import DataSet
from poser.tasks.job_kinds import job_kind
from poser.tasks.jobs import TaskError
from poser.utils.progress import NullProgress, Progress


def _touch(
    data_set: DataSet,
    *,
    steps: int = 5,
    delay: float = 0.0,
    fail_at: int | None = None,
    label: str = "touched",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Writes first, then works slowly: a job stopped part-way has an uncommitted write."""
    progress = progress or NullProgress()
    data_set.description = label
    object_session(data_set).flush()  # the write is in the job's open transaction
    for step in range(1, steps + 1):
        if fail_at == step:
            raise TaskError(f"step {step} of {steps} failed on purpose")
        time.sleep(delay)
        progress.log(f"step {step}")
        progress.update(step, steps, f"step {step} of {steps}")
    return {"steps": steps}


touch = job_kind("sample.touch", "Touch the data set slowly")(_touch)


@job_kind("sample.touch_idempotent", "Touch the data set (safe to repeat)", idempotent=True)
def touch_idempotent(data_set: DataSet, **kwargs: Any) -> dict[str, Any]:
    return _touch(data_set, **kwargs)


@job_kind("sample.crash", "Fail unexpectedly")
def crash(data_set: DataSet, progress: Progress | None = None) -> dict[str, Any]:
    data_set.description = "half-done"
    raise RuntimeError("database password is hunter2")


@job_kind("sample.read_then_write", "Read, pause, then write")
def read_then_write(
    data_set: DataSet, *, pause: float = 0.2, progress: Progress | None = None
) -> dict[str, Any]:
    """Reads (the runner loaded the data set), says so, pauses, then writes: a writer
    that takes SQLite's lock during the pause makes the write be refused."""
    progress = progress or NullProgress()
    progress.log(f"read {data_set.name}")
    time.sleep(pause)
    data_set.description = "written"
    object_session(data_set).flush()
    return {}
