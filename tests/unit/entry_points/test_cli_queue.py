"""`poser jobs ...`, `poser maintenance ...` and `poser scheduler` against a real
database (the suite's, SQLite or PostgreSQL) and a real queue (huey's SQLite file in
the test's own app dir)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.entry_points.main import cli
from poser.entry_points.plugins import load_tasks
from poser.entry_points.queues import HueyJobQueue, make_queue
from poser.entry_points.schedule import PERIODIC_JOBS
from poser.models.orm import DataSet, Job, PeriodicRun
from poser.storage import store_from_settings
from poser.tasks.job_progress import JobProgress, read_progress
from poser.utils.appdir import make_appdir
from poser.utils.settings import load_settings
from poser.utils.timeutil import utcnow
from tests.conftest import TEST_SECRET
from tests.factories import make_data_set
from tests.worker_support import ROOT, running_workers, unique_queue_name, wait_for, write_ini

pytestmark = pytest.mark.usefixtures("clean_environ")


class Site:
    """An ini on the suite's database, with its own app dir and queue."""

    def __init__(self, folder: Path, database_url: str, **extra: Any) -> None:
        self.folder = folder
        self.appdir = folder / "app"
        make_appdir(self.appdir)
        self.ini = write_ini(
            folder,
            {
                "poser.environment": "development",
                "poser.appdir": self.appdir,
                "sqlalchemy.url": database_url,
                "session.secret": TEST_SECRET,
                "poser.queue.name": unique_queue_name(),
                "poser.queue.periodic": "false",
                **extra,
            },
        )
        self.settings = load_settings(str(self.ini))
        self.queue: HueyJobQueue = make_queue(self.settings)

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, ["-c", str(self.ini), *args], catch_exceptions=False)

    def lines(self, *args: str) -> list[str]:
        result = self.run(*args)
        assert result.exit_code == 0, result.output
        return result.output.splitlines()


@pytest.fixture
def site(tmp_path: Path, database_url: str, session_factory: Any) -> Iterator[Site]:
    load_tasks({})
    made = Site(tmp_path, database_url)
    yield made
    made.queue.huey.storage.flush_all()


@pytest.fixture
def store(dbsession: Session) -> DataSet:
    return make_data_set(dbsession, "North")


def _job(
    dbsession: Session, kind: str, status: str, data_set: DataSet | None, **values: Any
) -> Job:
    job = Job(kind=kind, status=status, data_set_id=data_set.id if data_set else None, **values)
    dbsession.add(job)
    dbsession.commit()
    return job


def _reload(dbsession: Session, job: Job) -> Job:
    dbsession.expire_all()
    return dbsession.get_one(Job, job.id)


def test_jobs_list_shows_the_newest_first_and_filters(
    site: Site, dbsession: Session, store: DataSet
) -> None:
    export = _job(dbsession, "datasets.export", "queued", store)
    apply = _job(dbsession, "batches.execute", "failed", store, error="The file is gone.")
    purge = _job(dbsession, "maintenance.purge_work", "succeeded", None)
    rows = [line.split("\t") for line in site.lines("jobs", "list")]
    assert [(row[0], row[1], row[2], row[4]) for row in rows] == [
        (str(purge.id), "succeeded", "maintenance.purge_work", ""),
        (str(apply.id), "failed", "batches.execute", "The file is gone."),
        (str(export.id), "queued", "datasets.export", ""),
    ]
    assert site.lines("jobs", "list", "--status", "failed")[0].startswith(f"{apply.id}\t")
    assert len(site.lines("jobs", "list", "--kind", "datasets.export")) == 1
    assert site.lines("jobs", "list", "--limit", "1")[0].startswith(f"{purge.id}\t")
    assert site.lines("jobs", "list", "--kind", "nothing.like.it") == []
    bad = site.run("jobs", "list", "--status", "lost")
    assert bad.exit_code == 2
    assert "'lost' is not one of" in bad.output


def test_jobs_show_tells_state_progress_result_and_log(
    site: Site, dbsession: Session, store: DataSet
) -> None:
    job = _job(
        dbsession, "datasets.copy", "running", store, attempts=1,
        parameters={"name": "Copy"}, result={"rows": 3},
    )  # fmt: skip
    progress = JobProgress(site.queue.store, job.id)
    progress.update(3, 12, "row 3 of 12")
    progress.note("read the header")
    lines = site.lines("jobs", "show", str(job.id))
    assert lines[:4] == [
        f"job {job.id}: datasets.copy — running (attempts: 1)",
        'parameters: {"name": "Copy"}',
        "progress: 25.0% row 3 of 12",
        'result: {"rows": 3}',
    ]
    assert lines[4].endswith(" read the header")
    missing = site.run("jobs", "show", "999999")
    assert (missing.exit_code, missing.output.strip()) == (1, "Error: no job 999999")
    too_large = site.run("jobs", "show", str(2**31))
    assert too_large.exit_code == 2
    assert "is not in the range" in too_large.output


def test_jobs_cancel_stops_queued_and_asks_running_jobs(
    site: Site, dbsession: Session, store: DataSet
) -> None:
    queued = _job(dbsession, "datasets.export", "queued", store)
    running = _job(dbsession, "datasets.export", "running", store)
    done = _job(dbsession, "datasets.export", "succeeded", store)
    assert site.lines("jobs", "cancel", str(queued.id)) == [f"job {queued.id}: cancelled"]
    assert _reload(dbsession, queued).status == "cancelled"
    assert site.lines("jobs", "cancel", str(running.id)) == [f"job {running.id}: asked to stop"]
    assert _reload(dbsession, running).status == "running"  # it stops at its next progress
    assert read_progress(site.queue.store, running.id)["cancel_requested"]
    refused = site.run("jobs", "cancel", str(done.id))
    assert refused.exit_code == 1
    assert "This job has succeeded; there is nothing to cancel." in refused.output


def test_jobs_retry_queues_a_failed_job_again(
    site: Site, dbsession: Session, store: DataSet
) -> None:
    failed = _job(dbsession, "datasets.export", "failed", store, error="Disk full.")
    assert site.lines("jobs", "retry", str(failed.id)) == [f"job {failed.id}: queued again"]
    again = _reload(dbsession, failed)
    assert (again.status, again.error) == ("queued", None)
    assert [task.args for task in site.queue.huey.pending()] == [(failed.id,)]
    refused = site.run("jobs", "retry", str(failed.id))
    assert refused.exit_code == 1
    assert "Only failed or cancelled jobs can be retried; this one is queued." in refused.output
    assert len(site.queue.huey.pending()) == 1


def _age(path: Path, days: float) -> None:
    when = time.time() - days * 86400
    os.utime(path, (when, when))


def test_maintenance_purge_work_removes_old_scratch_files(site: Site) -> None:
    work = site.appdir / "work"
    (work / "old-folder").mkdir()
    (work / "old-folder" / "part.xlsx").write_bytes(b"x")
    (work / "old.tmp").write_bytes(b"x")
    (work / "new.tmp").write_bytes(b"x")
    for old in ("old-folder", "old.tmp"):
        _age(work / old, 3)
    lines = site.lines("maintenance", "purge-work", "--older-than-days", "2")
    assert json.loads(lines[-1]) == {"removed": 2, "kept": 1}
    assert sorted(path.name for path in work.iterdir()) == ["new.tmp"]


def test_maintenance_purge_uploads_removes_unclaimed_old_uploads(site: Site) -> None:
    files = store_from_settings(site.settings)
    files.write("uploads/1/old.csv", b"upc\n")
    files.write("uploads/1/new.csv", b"upc\n")
    files.write("batches/catalog/1/claimed.csv", b"upc\n")
    for key in ("uploads/1/old.csv", "batches/catalog/1/claimed.csv"):
        _age(site.appdir / "data" / key, 8)
    lines = site.lines("maintenance", "purge-uploads", "--older-than-days", "7")
    assert json.loads(lines[-1]) == {"removed": 1, "kept": 1}
    assert files.list("uploads") == ["uploads/1/new.csv"]
    assert files.exists("batches/catalog/1/claimed.csv"), "a batch's file is not an upload"


def test_maintenance_purge_job_logs_forgets_long_finished_jobs(
    site: Site, dbsession: Session, store: DataSet
) -> None:
    now = utcnow()
    old = _job(dbsession, "datasets.export", "succeeded", store, finished_at=now - timedelta(40))
    recent = _job(dbsession, "datasets.export", "failed", store, finished_at=now - timedelta(2))
    running = _job(dbsession, "datasets.export", "running", store)
    for job in (old, recent, running):
        JobProgress(site.queue.store, job.id).note("a line")
    lines = site.lines("maintenance", "purge-job-logs", "--older-than-days", "30")
    assert json.loads(lines[-1]) == {"purged": 1}
    logs = {
        job.id: read_progress(site.queue.store, job.id)["log"] for job in (old, recent, running)
    }
    assert logs[old.id] == []
    assert len(logs[recent.id]) == len(logs[running.id]) == 1


class Scheduler:
    """`poser scheduler` in a process of its own, as an operator starts it."""

    def __init__(self, ini: Path, log: Path) -> None:
        self.log = log
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("POSER_CONFIG", None)
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "poser", "-c", str(ini), "scheduler"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def stop(self, signum: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
            raise

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.mark.slow
def test_the_scheduler_schedules_a_due_job_once_and_stops_cleanly(
    tmp_path: Path, database_url: str, session_factory: Any, dbsession: Session
) -> None:
    # Only purge_work, due every minute (now, at start): every other periodic job is off,
    # or one whose hour's minute (:07, :17, :47) the test meets is scheduled too.
    schedules = {f"poser.schedule.{job.name}": "off" for job in PERIODIC_JOBS}
    site = Site(tmp_path, database_url, **{**schedules, "poser.schedule.purge_work": "* * * * *"})
    scheduler = Scheduler(site.ini, tmp_path / "scheduler.log")
    try:
        wait_for(site.queue.pending, timeout=60, what=scheduler.output)
    finally:
        code = scheduler.stop()
    assert code == 0, scheduler.output()
    assert "scheduler: stopping on SIGTERM" in scheduler.output()
    scheduled = [task.args for task in site.queue.huey.pending()]
    # One run per minute it saw (two if it saw a minute turn), only the enabled job.
    assert scheduled
    assert len(set(scheduled)) == len(scheduled)
    assert {name for name, _ in scheduled} == {"purge_work"}
    # A second scheduler by mistake hands the same minute out again: it still runs once.
    site.queue.run_periodic(*scheduled[0])

    def runs() -> int:
        with session_factory() as session:
            done = session.scalar(select(func.count()).where(Job.status == "succeeded"))
            return done if done == len(scheduled) and not site.queue.pending() else 0

    with running_workers(site.ini, tmp_path, 1, "--no-periodic"):
        wait_for(runs, timeout=60, what="the scheduled runs")
    claimed = dbsession.execute(select(PeriodicRun.name, PeriodicRun.scheduled_for)).all()
    assert sorted((name, when.isoformat()) for name, when in claimed) == sorted(scheduled)
    kinds = dbsession.scalars(select(Job.kind)).all()
    assert kinds == ["maintenance.purge_work"] * len(scheduled)
    site.queue.huey.storage.flush_all()
