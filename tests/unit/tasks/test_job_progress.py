from __future__ import annotations

import pytest

from poser.tasks.job_progress import (
    LOG_LINES_KEPT,
    JobCancelled,
    JobProgress,
    WorkerStopping,
    cancel_key,
    read_progress,
)
from tests.jobs_support import DictStore


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_updates_are_throttled_but_the_last_one_always_lands() -> None:
    store, clock = DictStore(), Clock()
    progress = JobProgress(store, 7, min_interval=1.0, clock=clock)
    progress.update(1, 10, "one")
    progress.update(2, 10, "two")  # within the interval: not written
    assert read_progress(store, 7)["message"] == "one"
    clock.now += 1.0
    progress.update(3, 10)
    assert read_progress(store, 7)["percent"] == 30.0
    assert read_progress(store, 7)["message"] == "two", "the message carries over"
    progress.update(10, 10, "done")  # finished: written at once
    assert read_progress(store, 7)["percent"] == 100.0


def test_unknown_totals_give_no_percent() -> None:
    store = DictStore()
    JobProgress(store, 1).update(5)
    assert read_progress(store, 1)["percent"] is None
    assert read_progress(store, 1)["done"] == 5


def test_the_log_keeps_the_last_lines_across_reporters() -> None:
    store = DictStore()
    first = JobProgress(store, 3)
    for number in range(LOG_LINES_KEPT + 5):
        first.note(f"line {number}")
    second = JobProgress(store, 3)  # a retry's reporter continues the same log
    second.note("again")
    lines = read_progress(store, 3)["log"]
    assert len(lines) == LOG_LINES_KEPT
    assert lines[-1].endswith("again")
    assert lines[0].endswith(f"line {6}")


def test_cancel_is_noticed_at_a_progress_call() -> None:
    store, clock = DictStore(), Clock()
    progress = JobProgress(store, 9, min_interval=0.5, clock=clock)
    progress.update(1, 5)
    store.put(cancel_key(9), b"1")
    clock.now += 0.5
    with pytest.raises(JobCancelled):
        progress.update(2, 5)


def test_a_stopping_worker_is_noticed_at_once() -> None:
    progress = JobProgress(DictStore(), 9, should_stop=lambda: True)
    with pytest.raises(WorkerStopping):
        progress.log("anything")


def test_garbage_in_the_store_reads_as_empty() -> None:
    store = DictStore()
    store.put("job:4:progress", b"not json")
    assert read_progress(store, 4) == {
        "percent": None, "done": None, "total": None, "message": "", "updated": None, "log": [],
        "cancel_requested": False,
    }  # fmt: skip
