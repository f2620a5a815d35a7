"""The job runner and SQLite's write lock: a job waits its turn behind other writers,
and looking for the jobs of dead workers takes no lock when there are none."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from poser.models.engine import IMMEDIATE, get_engine, get_session_factory
from poser.models.orm import DataSet, Job
from poser.tasks import jobs
from poser.tasks.job_progress import read_progress
from tests import sample_jobs
from tests.factories import make_data_set
from tests.jobs_support import RecordingQueue
from tests.worker_support import wait_for


@pytest.fixture
def sqlite_engine(engine: Engine) -> Engine:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single-writer lock only")
    return engine


@pytest.fixture
def impatient(settings: dict[str, Any], session_factory: Any) -> Iterator[sessionmaker[Session]]:
    """Sessions that wait only 0.2 s for the write lock."""
    engine = get_engine({**settings, "poser.sqlite.busy_timeout_ms": 200})
    yield get_session_factory(engine)
    engine.dispose()


def test_a_task_refused_its_first_write_waits_its_turn_for_the_lock(
    sqlite_engine: Engine, session_factory: sessionmaker[Session], dbsession: Session
) -> None:
    queue = RecordingQueue()
    data_set = make_data_set(dbsession, "Store")
    job = jobs.submit(
        dbsession, queue, sample_jobs.read_then_write, data_set=data_set, parameters={"pause": 0.3}
    )
    dbsession.commit()
    outcome: list[str | None] = []
    runner = threading.Thread(
        target=lambda: outcome.append(jobs.run(session_factory, queue, job.id, worker="w"))
    )
    runner.start()
    wait_for(lambda: _logged(queue, job, "read Store"), what="the task has read")
    # Other writers keep the lock (web requests, one after another): from the task's
    # first refusal on, for longer than all its retries' pauses and reads together.
    with sqlite_engine.connect() as holder, holder.execution_options(**IMMEDIATE).begin():
        holder.execute(text("UPDATE data_set SET name = 'Renamed meanwhile'"))
        wait_for(lambda: _logged(queue, job, "busy"), what="the task's first write refused")
        time.sleep(jobs.BUSY_PAUSE * jobs.BUSY_ATTEMPTS**2)
    runner.join(60)
    assert outcome == ["succeeded"]
    dbsession.expire_all()
    stored = dbsession.get_one(DataSet, data_set.id)
    assert (stored.name, stored.description) == ("Renamed meanwhile", "written")


def _logged(queue: RecordingQueue, job: Job, text: str) -> bool:
    return any(text in line for line in read_progress(queue.store, job.id)["log"])


def test_looking_for_dead_workers_jobs_takes_no_lock_when_there_are_none(
    sqlite_engine: Engine, impatient: sessionmaker[Session], dbsession: Session
) -> None:
    data_set = make_data_set(dbsession, "Store")
    dbsession.add(Job(kind="sample.touch", data_set_id=data_set.id, status="running", worker="w"))
    dbsession.commit()
    queue = RecordingQueue()
    with sqlite_engine.connect() as holder, holder.execution_options(**IMMEDIATE).begin():
        holder.execute(text("UPDATE data_set SET name = 'A long job'"))
        assert jobs.recover_orphans(impatient, queue, lambda worker: worker == "w") == []
