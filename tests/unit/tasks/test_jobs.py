from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from poser.models.engine import IMMEDIATE
from poser.models.orm import DataSet, Job
from poser.tasks import job_kinds, jobs
from poser.tasks.batches import jobs as batch_jobs
from poser.tasks.datasets import jobs as data_set_jobs
from poser.tasks.job_kinds import JobKind, Task
from poser.tasks.job_progress import cancel_key, read_progress
from tests import sample_jobs
from tests.factories import make_data_set, make_user
from tests.jobs_support import RecordingQueue
from tests.worker_support import wait_for


@pytest.fixture
def queue() -> RecordingQueue:
    return RecordingQueue()


def _submit(
    dbsession: Session, queue: RecordingQueue, task: Task = sample_jobs.touch, **params: object
) -> Job:
    user = make_user(dbsession)
    data_set = make_data_set(dbsession, "Store", members={user: "owner"})  # who may run it
    job = jobs.submit(dbsession, queue, task, data_set=data_set, user=user, parameters=params)
    dbsession.commit()
    return job


def _run(
    session_factory: sessionmaker[Session], queue: RecordingQueue, job: Job, **kw: object
) -> str | None:
    return jobs.run(session_factory, queue, job.id, worker="test-worker", **kw)  # type: ignore[arg-type]


def _reload(dbsession: Session, job: Job) -> Job:
    dbsession.expire_all()
    return dbsession.get_one(Job, job.id)


def _description(dbsession: Session, job: Job) -> str:
    dbsession.expire_all()
    return dbsession.get_one(DataSet, job.data_set_id).description


def test_a_job_is_enqueued_only_after_its_transaction_commits(
    dbsession: Session, queue: RecordingQueue
) -> None:
    data_set = make_data_set(dbsession)
    job = jobs.submit(dbsession, queue, sample_jobs.touch, data_set=data_set)
    assert job.kind == "sample.touch"  # the row names the kind
    assert queue.enqueued == []
    dbsession.commit()
    assert queue.enqueued == [job.id]


def test_a_job_submitted_in_a_savepoint_waits_for_the_whole_transaction(
    dbsession: Session, queue: RecordingQueue
) -> None:
    """A form's action runs in a savepoint (poser.apps.site.forms.handle_form): its
    release is no commit, and a worker handed the job then would not find its row."""
    data_set = make_data_set(dbsession)
    savepoint = dbsession.begin_nested()
    job = jobs.submit(dbsession, queue, sample_jobs.touch, data_set=data_set)
    savepoint.commit()
    assert queue.enqueued == []
    dbsession.commit()
    assert queue.enqueued == [job.id]


def test_a_rolled_back_submit_enqueues_nothing(dbsession: Session, queue: RecordingQueue) -> None:
    data_set = make_data_set(dbsession)
    jobs.submit(dbsession, queue, sample_jobs.touch, data_set=data_set)
    dbsession.rollback()
    dbsession.commit()
    assert queue.enqueued == []
    assert dbsession.scalars(select(Job)).all() == []


def test_a_kind_runs_one_at_a_time_per_data_set(
    dbsession: Session, session_factory: sessionmaker[Session], queue: RecordingQueue
) -> None:
    job = _submit(dbsession, queue)
    data_set = dbsession.get_one(DataSet, job.data_set_id)
    other = make_data_set(dbsession, "Other store")
    with pytest.raises(jobs.AlreadyRunningError, match="already running"):
        jobs.refuse_while_running(dbsession, sample_jobs.touch, data_set)
    jobs.refuse_while_running(dbsession, sample_jobs.touch, other)  # another data set's
    jobs.refuse_while_running(dbsession, sample_jobs.crash, data_set)  # another kind
    dbsession.commit()
    assert _run(session_factory, queue, job) == "succeeded"
    dbsession.expire_all()
    jobs.refuse_while_running(dbsession, sample_jobs.touch, data_set)  # it has finished


def test_submit_checks_kind_scope_and_parameters(dbsession: Session, queue: RecordingQueue) -> None:
    data_set = make_data_set(dbsession)
    unregistered = JobKind("nope", "Nothing", sample_jobs.touch)
    with pytest.raises(LookupError, match="no job kind named 'nope'"):
        jobs.submit(dbsession, queue, unregistered, data_set=data_set)
    with pytest.raises(TypeError, match=r"'sample\.touch' is not a job kind"):
        jobs.submit(dbsession, queue, "sample.touch", data_set=data_set)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs scope 'data_set'"):
        jobs.submit(dbsession, queue, sample_jobs.touch)
    with pytest.raises(TypeError):
        jobs.submit(
            dbsession, queue, sample_jobs.touch, data_set=data_set, parameters={"x": object()}
        )


def test_a_successful_run_commits_the_work_and_the_outcome_together(
    session_factory: sessionmaker[Session], dbsession: Session, queue: RecordingQueue
) -> None:
    job = _submit(dbsession, queue, steps=3)
    assert _run(session_factory, queue, job) == "succeeded"
    job = _reload(dbsession, job)
    assert (job.status, job.result, job.attempts, job.error) == ("succeeded", {"steps": 3}, 1, None)
    assert job.started_at <= job.finished_at
    assert _description(dbsession, job) == "touched"
    live = read_progress(queue.store, job.id)
    assert live["percent"] == 100.0
    assert [line.split(" ", 1)[1] for line in live["log"]] == [
        "started: Touch the data set slowly", "step 1", "step 2", "step 3", "finished",
    ]  # fmt: skip


def test_a_job_runs_once_even_if_handed_out_twice(
    session_factory: sessionmaker[Session], dbsession: Session, queue: RecordingQueue
) -> None:
    job = _submit(dbsession, queue)
    assert _run(session_factory, queue, job) == "succeeded"
    assert _run(session_factory, queue, job) is None
    assert _reload(dbsession, job).attempts == 1


def test_a_task_error_fails_the_job_with_its_message_and_saves_nothing(
    session_factory: sessionmaker[Session], dbsession: Session, queue: RecordingQueue
) -> None:
    job = _submit(dbsession, queue, steps=3, fail_at=2)
    assert _run(session_factory, queue, job) == "failed"
    job = _reload(dbsession, job)
    assert job.error == "step 2 of 3 failed on purpose"
    assert _description(dbsession, job) == ""


def test_an_unexpected_error_shows_no_internals(
    session_factory: sessionmaker[Session], dbsession: Session, queue: RecordingQueue
) -> None:
    job = _submit(dbsession, queue, sample_jobs.crash)
    assert _run(session_factory, queue, job) == "failed"
    job = _reload(dbsession, job)
    assert job.error == jobs.MESSAGE_UNEXPECTED
    assert "hunter2" not in job.error
    assert _description(dbsession, job) == ""


def test_cancelling_a_queued_job_stops_it_before_it_starts(
    session_factory: sessionmaker[Session], dbsession: Session, queue: RecordingQueue
) -> None:
    job = _submit(dbsession, queue)
    jobs.cancel(dbsession, queue, job)
    dbsession.commit()
    assert _run(session_factory, queue, job) is None
    assert _reload(dbsession, job).status == "cancelled"


def test_cancelling_a_running_job_stops_it_at_its_next_progress_call(
    session_factory: sessionmaker[Session], dbsession: Session, queue: RecordingQueue
) -> None:
    job = _submit(dbsession, queue, steps=3)
    queue.store.put(cancel_key(job.id), b"1")  # what cancel() does for a running job
    assert _run(session_factory, queue, job) == "cancelled"
    job = _reload(dbsession, job)
    assert job.error == jobs.MESSAGE_CANCELLED
    assert _description(dbsession, job) == ""
    assert queue.store.get(cancel_key(job.id)) is None


def test_cancel_on_a_running_job_raises_the_flag(dbsession: Session, queue: RecordingQueue) -> None:
    job = _submit(dbsession, queue)
    job.status = "running"
    jobs.cancel(dbsession, queue, job)
    assert job.status == "running", "the worker records the outcome"
    assert queue.store.get(cancel_key(job.id)) == b"1"
    assert read_progress(queue.store, job.id)["cancel_requested"] is True
    job.status = "succeeded"
    with pytest.raises(jobs.JobStateError, match="nothing to cancel"):
        jobs.cancel(dbsession, queue, job)


def test_retry_queues_a_failed_job_again_after_commit(
    session_factory: sessionmaker[Session], dbsession: Session, queue: RecordingQueue
) -> None:
    job = _submit(dbsession, queue, steps=2, fail_at=1)
    _run(session_factory, queue, job)
    job = _reload(dbsession, job)
    queue.enqueued.clear()
    jobs.retry(dbsession, queue, job)
    assert queue.enqueued == []
    dbsession.commit()
    assert queue.enqueued == [job.id]
    assert (job.status, job.error) == ("queued", None)
    assert read_progress(queue.store, job.id)["log"] == []
    with pytest.raises(jobs.JobStateError, match="Only failed or cancelled jobs"):
        jobs.retry(dbsession, queue, job)


def test_a_job_retried_by_a_user_is_theirs_and_acts_for_them(
    dbsession: Session, queue: RecordingQueue
) -> None:
    first, second = make_user(dbsession, "first"), make_user(dbsession, "second")
    data_set = make_data_set(dbsession)
    apply = jobs.submit(
        dbsession,
        queue,
        batch_jobs.execute,
        data_set=data_set,
        user=first,
        parameters={"batch_id": 4, "user_id": first.id},
    )
    touch = jobs.submit(dbsession, queue, sample_jobs.touch, data_set=data_set, user=first)
    for job in (apply, touch):
        job.status = "failed"
        jobs.retry(dbsession, queue, job, user=second)
    dbsession.commit()
    assert (apply.user_id, apply.parameters) == (second.id, {"batch_id": 4, "user_id": second.id})
    assert (touch.user_id, touch.parameters) == (second.id, {})
    assert read_progress(queue.store, apply.id)["log"][0].endswith("Queued again by second.")
    # From the terminal, with no user: the job stays as it was.
    apply.status = "cancelled"
    jobs.retry(dbsession, queue, apply)
    assert (apply.user_id, apply.parameters["user_id"]) == (second.id, second.id)


def test_a_kind_says_what_running_it_takes() -> None:
    assert job_kinds.get_kind("sample.touch").permission == "edit"  # unless it says
    assert job_kinds.get_kind("datasets.export").permission == "view"
    assert data_set_jobs.export.job_kind is job_kinds.get_kind("datasets.export")
    assert job_kinds.get_kind("maintenance.purge_work").permission == "admin"
    assert job_kinds.permission_to_run("batches.execute") == "edit"
    assert job_kinds.permission_to_run("no.such.kind") == "manage"
    with pytest.raises(ValueError, match="takes the permission view, edit, manage, not 'admin'"):
        job_kinds.job_kind("sample.bad", "Bad", permission="admin")
    with pytest.raises(ValueError, match="takes the permission admin, not 'view'"):
        job_kinds.job_kind("sample.bad", "Bad", scope="global", permission="view")


def test_a_stopping_worker_fails_ordinary_jobs_and_requeues_idempotent_ones(
    session_factory: sessionmaker[Session], dbsession: Session, queue: RecordingQueue
) -> None:
    plain = _submit(dbsession, queue)
    safe = _submit(dbsession, queue, sample_jobs.touch_idempotent)
    queue.enqueued.clear()
    assert _run(session_factory, queue, plain, should_stop=lambda: True) == "failed"
    assert _reload(dbsession, plain).error == jobs.MESSAGE_WORKER_STOPPED
    assert _run(session_factory, queue, safe, should_stop=lambda: True) == "queued"
    assert queue.enqueued == [safe.id]
    assert _description(dbsession, plain) == ""


def test_orphaned_running_jobs_are_recovered(
    session_factory: sessionmaker[Session], dbsession: Session, queue: RecordingQueue
) -> None:
    plain = _submit(dbsession, queue)
    safe = _submit(dbsession, queue, sample_jobs.touch_idempotent)
    alive = _submit(dbsession, queue)
    for job, worker in ((plain, "dead"), (safe, "dead"), (alive, "alive")):
        job.status, job.worker = "running", worker
    dbsession.commit()
    queue.enqueued.clear()
    outcomes = jobs.recover_orphans(session_factory, queue, lambda worker: worker == "alive")
    assert sorted(outcomes) == sorted([(plain.id, "failed"), (safe.id, "queued")])
    assert queue.enqueued == [safe.id]
    assert _reload(dbsession, plain).error == jobs.MESSAGE_WORKER_STOPPED
    assert _reload(dbsession, alive).status == "running"


def test_a_task_refused_the_write_lock_runs_again(
    session_factory: sessionmaker[Session], dbsession: Session, queue: RecordingQueue
) -> None:
    engine = session_factory.kw["bind"]
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single-writer lock only")
    job = _submit(dbsession, queue, sample_jobs.read_then_write, pause=0.3)
    dbsession.close()
    outcome: list[str | None] = []
    runner = threading.Thread(target=lambda: outcome.append(_run(session_factory, queue, job)))
    runner.start()
    wait_for(
        lambda: any("read Store" in line for line in read_progress(queue.store, job.id)["log"])
    )
    # Another writer takes the lock while the task, having read, pauses before writing.
    with engine.connect() as holder, holder.execution_options(**IMMEDIATE).begin():
        time.sleep(0.5)
    runner.join(10)
    assert outcome == ["succeeded"]
    log = read_progress(queue.store, job.id)["log"]
    assert any(line.endswith("the database was busy; starting again") for line in log)
    assert _description(dbsession, job) == "written"
