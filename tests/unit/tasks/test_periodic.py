from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import tests.sample_jobs  # noqa: F401
from poser.models.orm import Job, PeriodicRun
from poser.tasks.maintenance import purge_work
from poser.tasks.periodic import claim, run_periodic
from tests.jobs_support import RecordingQueue

SLOT = datetime(2026, 11, 21, 3, 30, tzinfo=UTC)


def test_a_scheduled_time_is_claimed_once(
    session_factory: sessionmaker[Session], dbsession: Session
) -> None:
    first = claim(session_factory, "purge_work", purge_work, {}, SLOT, "w1")
    second = claim(session_factory, "purge_work", purge_work, {}, SLOT, "w2")
    assert first is not None
    assert second is None
    runs = dbsession.scalars(select(PeriodicRun)).all()
    assert [(run.claimed_by, run.job_id) for run in runs] == [("w1", first)]
    assert len(dbsession.scalars(select(Job)).all()) == 1, "the loser leaves no job behind"


def test_run_periodic_runs_the_claimed_job(
    session_factory: sessionmaker[Session], dbsession: Session, tmp_path: object
) -> None:
    queue = RecordingQueue()
    status = run_periodic(
        session_factory,
        queue,
        "purge_work",
        purge_work,
        {"older_than_days": 1},
        SLOT,
        worker="w1",
        resources={"work_dir": tmp_path},
    )
    assert status == "succeeded"
    job = dbsession.scalars(select(Job)).one()
    assert (job.status, job.result, job.user_id) == ("succeeded", {"removed": 0, "kept": 0}, None)
    again = run_periodic(session_factory, queue, "purge_work", purge_work, {}, SLOT, worker="w2")
    assert again is None
