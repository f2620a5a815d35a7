"""Jobs: submit, run, cancel, retry, and recovery after a worker died.

The caller owns the transaction: ``submit`` only adds a row and asks for it to be
enqueued after that transaction commits, so a worker never looks for a row that is
not there yet, and a rolled-back request enqueues nothing.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from sqlalchemy import event, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from poser.models.data_extraction.jobs import latest_job
from poser.models.engine import is_sqlite_busy, write_transaction
from poser.models.orm import DataSet, Job, User
from poser.tasks.job_kinds import JobKind, Task, get_kind, registered_kind
from poser.tasks.job_progress import (
    JobCancelled,
    JobProgress,
    KeyValueStore,
    WorkerStopping,
    cancel_key,
    clear_progress,
)
from poser.tasks.permissions import job_refusal
from poser.tasks.steps import mark_step_done
from poser.utils.timeutil import utcnow

log = logging.getLogger(__name__)

PENDING_KEY = "poser.jobs_to_enqueue"
#: A job submitted by a step's widget names the step; success marks the step done.
STEP_PARAMETER = "_step"
BUSY_ATTEMPTS = 5
BUSY_PAUSE = 0.2  # seconds, times the attempt number

MESSAGE_CANCELLED = "Cancelled. Nothing this job did was saved."
MESSAGE_WORKER_STOPPED = (
    "The worker stopped while this job was running. Nothing it did was saved; retry it."
)
MESSAGE_UNEXPECTED = (
    "An unexpected error stopped this job (details are in the worker's log). "
    "Nothing it did was saved."
)


class JobQueue(Protocol):
    """What the web, CLI and worker hand to these functions (built in entry_points)."""

    store: KeyValueStore

    def enqueue(self, job_id: int) -> None: ...


class TaskError(Exception):
    """A task's way to fail with a message meant for the operator."""


class NotPermittedError(TaskError):
    """The job's user no longer may run it (see tasks.permissions): it fails, and its
    kind's ``on_failure`` does not run, for nothing was done."""


class JobStateError(ValueError):
    """The job is not in a state that allows this (e.g. retrying a running job)."""


class AlreadyRunningError(TaskError):
    """A job of this kind for this data set has not finished: one at a time."""


def submit(
    dbsession: Session,
    queue: JobQueue,
    task: Task | JobKind,
    *,
    data_set: DataSet | None = None,
    user: User | None = None,
    parameters: dict[str, Any] | None = None,
) -> Job:
    """A queued Job of ``task`` (a function `job_kind` declares, or its JobKind); the
    row stores the kind's name, by which a worker finds the task again."""
    job_kind = registered_kind(task)
    if (job_kind.scope == "data_set") != (data_set is not None):
        raise ValueError(f"job kind {job_kind.name!r} needs scope {job_kind.scope!r}")
    parameters = dict(parameters or {})
    json.dumps(parameters)  # fail now, not in the worker, if they cannot be stored
    job = Job(
        kind=job_kind.name,
        parameters=parameters,
        data_set_id=data_set.id if data_set else None,
        user_id=user.id if user else None,
        status="queued",
    )
    dbsession.add(job)
    dbsession.flush()
    enqueue_after_commit(dbsession, queue, job.id)
    return job


def refuse_while_running(dbsession: Session, task: Task | JobKind, data_set: DataSet) -> None:
    """AlreadyRunningError while a job of ``task`` for ``data_set`` has not finished: a
    second click on Run starts nothing, whatever else it would have said."""
    running = latest_job(dbsession, data_set.id, registered_kind(task).name)
    if running is not None and not running.finished:
        raise AlreadyRunningError("It is already running: nothing more was started.")


def enqueue_after_commit(dbsession: Session, queue: JobQueue, job_id: int) -> None:
    pending = dbsession.info.get(PENDING_KEY)
    if pending is None:
        pending = dbsession.info[PENDING_KEY] = []
        event.listen(dbsession, "after_commit", _enqueue_pending)
        event.listen(dbsession, "after_rollback", _forget_pending)
    pending.append((queue, job_id))


def _enqueue_pending(dbsession: Session) -> None:
    if dbsession.in_nested_transaction():
        # SQLAlchemy says "after_commit" when a savepoint is released too (a form's
        # action runs in one): nothing is committed until the transaction around it is.
        return
    pending = dbsession.info.get(PENDING_KEY, [])
    while pending:
        queue, job_id = pending.pop(0)
        queue.enqueue(job_id)


def _forget_pending(dbsession: Session) -> None:
    dbsession.info.get(PENDING_KEY, []).clear()


def run(
    session_factory: sessionmaker[Session],
    queue: JobQueue,
    job_id: int,
    *,
    worker: str,
    resources: dict[str, Any] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> str | None:
    """Run one queued job; returns its final status, or None when it was not to run.

    The claim is one UPDATE ... WHERE status = 'queued', so two workers handed the same
    id run it once. The task's writes and the 'succeeded' mark commit together, so a
    job is never recorded as done without its changes, nor the other way round.
    """
    with session_factory.begin() as session:
        claimed = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status="running", started_at=utcnow(), worker=worker, attempts=Job.attempts + 1)
        ).rowcount
        kind_name = session.scalar(select(Job.kind).where(Job.id == job_id))
    if not claimed or kind_name is None:
        log.info("job %s: not queued any more; skipped", job_id)
        return None

    progress = JobProgress(queue.store, job_id, should_stop)
    try:
        kind = get_kind(kind_name)
    except LookupError:
        message = f"This worker does not know jobs of kind {kind_name!r}."
        return _record(session_factory, progress, job_id, "failed", message)
    try:
        _execute(session_factory, job_id, kind, progress, resources or {})
        progress.note("finished")
        return "succeeded"
    except JobCancelled:
        return _record(session_factory, progress, job_id, "cancelled", MESSAGE_CANCELLED)
    except WorkerStopping:
        if kind.idempotent:
            _record(session_factory, progress, job_id, "queued", None)
            queue.enqueue(job_id)
            return "queued"
        return _record(
            session_factory, progress, job_id, "failed", MESSAGE_WORKER_STOPPED, kind.on_failure
        )
    except NotPermittedError as error:
        return _record(session_factory, progress, job_id, "failed", str(error))
    except TaskError as error:
        return _record(session_factory, progress, job_id, "failed", str(error), kind.on_failure)
    except Exception as exc:
        # SQLite's extended error name tells a lock timeout from a snapshot conflict.
        detail = getattr(getattr(exc, "orig", None), "sqlite_errorname", "")
        log.exception("job %s failed %s", job_id, detail)
        return _record(
            session_factory, progress, job_id, "failed", MESSAGE_UNEXPECTED, kind.on_failure
        )


def _execute(
    session_factory: sessionmaker[Session],
    job_id: int,
    kind: Any,
    progress: JobProgress,
    resources: dict[str, Any],
) -> None:
    """The task and its 'succeeded' mark in one transaction.

    The first try begins deferred: a task that reads long before it writes (or writes
    only its mark) keeps no other writer waiting meanwhile. SQLite refuses that try its
    first write, at once, when another connection holds the write lock or has committed
    since the try began reading; nothing is committed then, so the task runs again,
    and each later try takes the lock at BEGIN, waiting its turn behind the web's
    writes (busy_timeout) instead of being refused again."""
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        begin = (
            session_factory.begin if attempt == 1 else partial(write_transaction, session_factory)
        )
        try:
            with begin() as session:
                job = session.get_one(Job, job_id)
                # Authorized again now, by this transaction's memberships: a user
                # removed or demoted while the job waited has nothing done for them.
                refused = job_refusal(session, job, kind)
                if refused:
                    raise NotPermittedError(refused)
                subject: Any = (
                    session.get_one(DataSet, job.data_set_id) if job.data_set_id else session
                )
                available = {**resources, "job_id": job_id}
                extra = {name: available[name] for name in kind.uses}
                # Parameters starting with "_" are for the runner, not the task.
                params = {k: v for k, v in job.parameters.items() if not k.startswith("_")}
                progress.log(f"started: {kind.title}")
                result = kind.function(subject, progress=progress, **extra, **params)
                progress.flush()
                if job.parameters.get(STEP_PARAMETER) and job.data_set_id:
                    mark_step_done(subject, job.parameters[STEP_PARAMETER])
                _finish(session, job_id, "succeeded", result=result or {})
            return
        except OperationalError as error:
            if not is_sqlite_busy(error) or attempt == BUSY_ATTEMPTS:
                raise
            progress.note("the database was busy; starting again")
            time.sleep(BUSY_PAUSE * attempt)


def _finish(session: Session, job_id: int, status: str, **values: Any) -> None:
    finished_at = None if status == "queued" else utcnow()
    session.execute(
        update(Job).where(Job.id == job_id).values(status=status, finished_at=finished_at, **values)
    )


def _record(
    session_factory: sessionmaker[Session],
    progress: JobProgress,
    job_id: int,
    status: str,
    error: str | None,
    on_failure: Callable[[Session, Job, str], None] | None = None,
) -> str:
    """The outcome of a job whose own transaction rolled back, in a short one of its own."""
    with session_factory.begin() as session:
        _finish(session, job_id, status, error=error, worker=None)
        if on_failure is not None and error:
            on_failure(session, session.get_one(Job, job_id), error)
    progress.note(error or f"job {status}")
    progress.store.delete(cancel_key(job_id))
    return status


def cancel(dbsession: Session, queue: JobQueue, job: Job) -> None:
    """Queued: cancelled at once. Running: its task stops at its next progress call.

    The caller commits; for a running job nothing in the database changes here.
    """
    if job.status == "queued":
        job.status = "cancelled"
        job.error = MESSAGE_CANCELLED
        job.finished_at = utcnow()
    elif job.status == "running":
        # Only the queue's store: on SQLite the running job holds the database's write
        # lock, and a cancel that waited for it would wait for the job to end.
        queue.store.put(cancel_key(job.id), b"1")
    else:
        raise JobStateError(f"This job has {job.status}; there is nothing to cancel.")
    dbsession.flush()


def retry(dbsession: Session, queue: JobQueue, job: Job, user: User | None = None) -> None:
    """Queue a failed or cancelled job again, with the same parameters.

    Retried by ``user``, the job is theirs from now on: it acts for them (its kind's
    ``user_parameter``), not for whoever submitted it, who may have lost access since.
    """
    if job.status not in ("failed", "cancelled"):
        raise JobStateError(
            f"Only failed or cancelled jobs can be retried; this one is {job.status}."
        )
    if user is not None:
        job.user_id = user.id
        try:
            acts_for = get_kind(job.kind).user_parameter
        except LookupError:  # a kind this process does not know names no such parameter
            acts_for = None
        if acts_for:
            job.parameters = {**job.parameters, acts_for: user.id}
    job.status = "queued"
    job.error = None
    job.result = None
    job.started_at = job.finished_at = None
    job.worker = None
    dbsession.flush()
    clear_progress(queue.store, job.id)
    if user is not None:
        # The log says who asked: the job page and `poser jobs show` show it.
        JobProgress(queue.store, job.id).note(f"Queued again by {user.username}.")
    enqueue_after_commit(dbsession, queue, job.id)


def recover_orphans(
    session_factory: sessionmaker[Session],
    queue: JobQueue,
    is_alive: Callable[[str], bool],
) -> list[tuple[int, str]]:
    """Jobs marked running whose worker is gone: re-queue idempotent ones, fail the rest.

    Their task transactions never committed, so there is nothing to undo. Looking
    takes no lock: the write lock (which a long job may hold) only when there are some.
    """
    with session_factory() as session:
        workers = session.scalars(select(Job.worker).where(Job.status == "running")).all()
    if all(worker and is_alive(worker) for worker in workers):
        return []
    outcomes: list[tuple[int, str]] = []
    with write_transaction(session_factory) as session:
        running = session.scalars(select(Job).where(Job.status == "running")).all()
        for job in running:
            if job.worker and is_alive(job.worker):
                continue
            try:
                idempotent = get_kind(job.kind).idempotent
            except LookupError:
                idempotent = False
            if idempotent:
                job.status, job.worker, job.started_at = "queued", None, None
                enqueue_after_commit(session, queue, job.id)
            else:
                job.status, job.error, job.finished_at = "failed", MESSAGE_WORKER_STOPPED, utcnow()
            log.warning("job %s: worker %s is gone; job %s", job.id, job.worker, job.status)
            outcomes.append((job.id, job.status))
    return outcomes
