"""The job lifecycle with real huey consumers in subprocesses, on SQLite and on Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.entry_points.queues import HueyJobQueue, make_queue
from poser.models.orm import DataSet, Job, PeriodicRun
from poser.tasks import jobs
from poser.tasks.job_progress import read_progress
from tests import sample_jobs
from tests.factories import make_data_set
from tests.worker_support import (
    REDIS_URL,
    redis_reachable,
    running_workers,
    unique_queue_name,
    wait_for,
    write_ini,
)

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "redis"])
def queue_settings(request: pytest.FixtureRequest, settings: dict[str, Any]) -> dict[str, Any]:
    if request.param == "redis" and not redis_reachable():
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return {
        **settings,
        "poser.queue.url": REDIS_URL if request.param == "redis" else "",
        "poser.queue.name": unique_queue_name(),
        "poser.queue.heartbeat_seconds": 1,
        "poser.queue.periodic": "false",
        "poser.job_modules": "tests.sample_jobs",
    }


@pytest.fixture
def queue(queue_settings: dict[str, Any], session_factory: Any) -> Iterator[HueyJobQueue]:
    queue = make_queue(queue_settings)
    yield queue
    queue.huey.storage.flush_all()


@pytest.fixture
def ini(queue_settings: dict[str, Any], tmp_path: Path) -> Path:
    return _worker_ini(queue_settings, tmp_path)


def _worker_ini(queue_settings: dict[str, Any], folder: Path, **extra: Any) -> Path:
    keys = ("poser.appdir", "sqlalchemy.url", "session.secret", "poser.environment")
    keys += tuple(k for k in queue_settings if k.startswith(("poser.queue.", "poser.job_modules")))
    return write_ini(folder, {**{key: queue_settings[key] for key in keys}, **extra})


def _submit(
    dbsession: Session, queue: HueyJobQueue, task: Any = sample_jobs.touch, **params: Any
) -> Job:
    data_set = make_data_set(dbsession, "Store")
    job = jobs.submit(dbsession, queue, task, data_set=data_set, parameters=params)
    dbsession.commit()
    return job


def _job(dbsession: Session, job_id: int) -> Job:
    dbsession.expire_all()
    return dbsession.get_one(Job, job_id)


def _status(dbsession: Session, job_id: int) -> str:
    # Each look ends its read transaction so the next one sees the worker's commits.
    status = _job(dbsession, job_id).status
    dbsession.rollback()
    return status


def _description(dbsession: Session, job: Job) -> str:
    dbsession.expire_all()
    value = dbsession.get_one(DataSet, job.data_set_id).description
    dbsession.rollback()
    return value


def _succeeded(dbsession: Session) -> int:
    count = dbsession.scalar(select(func.count()).select_from(Job).where(Job.status == "succeeded"))
    dbsession.rollback()  # a fresh snapshot on the next look
    return count or 0


def _steps_done(queue: HueyJobQueue, job_id: int) -> int:
    return int(read_progress(queue.store, job_id)["done"] or 0)


def test_a_job_runs_to_success_with_progress(
    ini: Path, tmp_path: Path, queue: HueyJobQueue, dbsession: Session
) -> None:
    with running_workers(ini, tmp_path) as (worker,):
        job = _submit(dbsession, queue, steps=4, delay=0.05)
        wait_for(lambda: _status(dbsession, job.id) == "succeeded", what=worker.output())
    finished = _job(dbsession, job.id)
    assert finished.result == {"steps": 4}
    assert finished.worker is not None
    live = read_progress(queue.store, job.id)
    assert live["percent"] == 100.0
    assert any(line.endswith("step 4") for line in live["log"])
    assert _description(dbsession, finished) == "touched"


def test_cancel_then_retry(
    ini: Path, tmp_path: Path, queue: HueyJobQueue, dbsession: Session
) -> None:
    with running_workers(ini, tmp_path) as (worker,):
        job = _submit(dbsession, queue, steps=30, delay=0.1)
        wait_for(lambda: _steps_done(queue, job.id) >= 2, what=f"progress\n{worker.output()}")
        jobs.cancel(dbsession, queue, _job(dbsession, job.id))
        dbsession.commit()
        wait_for(lambda: _status(dbsession, job.id) == "cancelled", what=worker.output())
        assert _description(dbsession, job) == "", "a cancelled job saves nothing"

        jobs.retry(dbsession, queue, _job(dbsession, job.id))
        dbsession.commit()
        wait_for(lambda: _status(dbsession, job.id) == "succeeded", what=worker.output())
    retried = _job(dbsession, job.id)
    assert retried.attempts == 2
    assert _description(dbsession, retried) == "touched"


@pytest.mark.parametrize(
    ("task", "after_restart"),
    [(sample_jobs.touch, "failed"), (sample_jobs.touch_idempotent, "succeeded")],
)
def test_a_worker_killed_mid_job_leaves_nothing_half_done(
    ini: Path,
    tmp_path: Path,
    queue: HueyJobQueue,
    dbsession: Session,
    task: Any,
    after_restart: str,
) -> None:
    with running_workers(ini, tmp_path) as (worker,):
        job = _submit(dbsession, queue, task, steps=60, delay=0.05)
        wait_for(lambda: _steps_done(queue, job.id) >= 3, what=f"progress\n{worker.output()}")
        worker.kill9()
    assert _status(dbsession, job.id) == "running", "nobody has noticed yet"
    assert _description(dbsession, job) == "", "the task's write never committed"

    with running_workers(ini, tmp_path) as (worker,):
        if after_restart == "failed":
            wait_for(lambda: _status(dbsession, job.id) == "failed", what=worker.output())
            assert _job(dbsession, job.id).error == jobs.MESSAGE_WORKER_STOPPED
            assert _description(dbsession, job) == ""
        else:
            # Re-queued and run again from the start by the new worker.
            wait_for(
                lambda: _status(dbsession, job.id) == "succeeded", timeout=60, what=worker.output()
            )
            assert _job(dbsession, job.id).attempts == 2


def test_sigterm_stops_the_worker_gracefully_without_waiting_for_the_job(
    ini: Path, tmp_path: Path, queue: HueyJobQueue, dbsession: Session
) -> None:
    with running_workers(ini, tmp_path) as (worker,):
        job = _submit(dbsession, queue, steps=600, delay=0.05)
        wait_for(lambda: _steps_done(queue, job.id) >= 2, what=f"progress\n{worker.output()}")
        assert worker.terminate(timeout=20) == 0
    stopped = _job(dbsession, job.id)
    assert stopped.status == "failed"
    assert stopped.error == jobs.MESSAGE_WORKER_STOPPED
    assert _description(dbsession, stopped) == ""


def test_a_periodic_time_runs_once_with_two_workers(
    ini: Path, tmp_path: Path, queue: HueyJobQueue, dbsession: Session
) -> None:
    with running_workers(ini, tmp_path, count=2) as workers:
        # What two schedulers would do by mistake: both enqueue the same scheduled time.
        queue.run_periodic("purge_work", "2026-11-21T03:30:00+00:00")
        queue.run_periodic("purge_work", "2026-11-21T03:30:00+00:00")
        wait_for(lambda: queue.pending() == 0, what="both messages taken")

        def state() -> str:
            rows = [(j.id, j.status, j.error) for j in dbsession.scalars(select(Job))]
            dbsession.rollback()
            return f"jobs {rows}\n" + "\n".join(worker.output() for worker in workers)

        wait_for(lambda: _succeeded(dbsession), what=state)
    runs = dbsession.scalars(select(PeriodicRun)).all()
    assert len(runs) == 1
    assert dbsession.scalar(select(func.count()).select_from(Job)) == 1
    assert runs[0].job.kind == "maintenance.purge_work"


def test_heartbeats_go_on_quietly_while_a_job_holds_the_write_lock(
    queue_settings: dict[str, Any], tmp_path: Path, queue: HueyJobQueue, dbsession: Session
) -> None:
    # The job writes first, so it holds SQLite's write lock for its whole run: longer
    # than the worker would wait for it (0.3 s).
    ini = _worker_ini(queue_settings, tmp_path, **{"poser.sqlite.busy_timeout_ms": 300})
    with running_workers(ini, tmp_path) as (worker,):
        job = _submit(dbsession, queue, steps=40, delay=0.1)
        wait_for(lambda: _steps_done(queue, job.id) >= 1, what=f"progress\n{worker.output()}")
        first = queue.last_heartbeat()
        assert first is not None
        wait_for(
            lambda: queue.last_heartbeat()["ts"] > first["ts"] and _steps_done(queue, job.id) < 40,
            what=f"a heartbeat during the job\n{worker.output()}",
        )
        wait_for(lambda: _status(dbsession, job.id) == "succeeded", what=worker.output())
    output = worker.output()
    assert "database is locked" not in output
    assert "heartbeat failed" not in output
