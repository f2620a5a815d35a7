"""The worker's own threads (heartbeat, recovery) while a long job holds the write lock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

import tests.sample_jobs  # noqa: F401 - registers the sample job kinds
from poser.entry_points.queues import make_queue
from poser.entry_points.worker import WorkerRuntime
from poser.models.engine import IMMEDIATE
from poser.models.orm import Job
from poser.tasks import jobs
from tests.factories import make_data_set


@pytest.fixture
def runtime(settings: dict[str, Any], engine: Engine) -> Iterator[WorkerRuntime]:
    """A worker's runtime that waits 0.2 s for the write lock; recovery runs each beat."""
    worker_settings = {
        **settings,
        "poser.sqlite.busy_timeout_ms": 200,
        "poser.queue.heartbeat_seconds": 60,
    }
    queue = make_queue(worker_settings)
    runtime = WorkerRuntime(worker_settings, queue)
    yield runtime
    runtime.engine.dispose()
    queue.huey.storage.flush_all()


@contextmanager
def a_long_job_writing(engine: Engine) -> Iterator[None]:
    """Another connection in the middle of a write transaction (on SQLite: the lock)."""
    with engine.connect() as holder, holder.execution_options(**IMMEDIATE).begin():
        holder.execute(text("UPDATE data_set SET description = 'being written'"))
        yield


class CountedRounds(threading.Event):
    """A stop event that lets a test wait until a loop has been round once more."""

    def __init__(self) -> None:
        super().__init__()
        self.rounds = threading.Semaphore(0)

    def wait(self, timeout: float | None = None) -> bool:
        self.rounds.release()
        return super().wait(timeout)


def test_a_heartbeat_while_a_job_holds_the_write_lock_logs_no_error_and_is_recorded(
    runtime: WorkerRuntime, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    stop = CountedRounds()
    beating = threading.Thread(target=runtime.heartbeat_loop, args=(stop,))
    with caplog.at_level(logging.INFO), a_long_job_writing(engine):
        beating.start()
        try:
            assert stop.rounds.acquire(timeout=30), "the heartbeat loop went round"
            heartbeat = runtime.queue.last_heartbeat()
        finally:
            stop.set()
            beating.join(30)
    assert heartbeat is not None
    assert heartbeat["worker"] == runtime.worker_id
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert "database is locked" not in caplog.text


def test_jobs_of_a_dead_worker_wait_quietly_for_the_lock_then_are_recovered(
    runtime: WorkerRuntime, engine: Engine, dbsession: Session, caplog: pytest.LogCaptureFixture
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single-writer lock only")
    data_set = make_data_set(dbsession)
    job = Job(kind="sample.touch", data_set_id=data_set.id, status="running", worker="gone:1:x")
    dbsession.add(job)
    dbsession.commit()

    with caplog.at_level(logging.INFO), a_long_job_writing(engine):
        assert runtime.recover() is False
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert "database is busy" in caplog.text
    dbsession.expire_all()
    assert dbsession.get_one(Job, job.id).status == "running"
    dbsession.rollback()

    assert runtime.recover() is True  # the lock is free: done now
    dbsession.expire_all()
    recovered = dbsession.get_one(Job, job.id)
    assert (recovered.status, recovered.error) == ("failed", jobs.MESSAGE_WORKER_STOPPED)
