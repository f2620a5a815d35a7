"""Batch work that runs as jobs: populating a batch from its file, applying it (asked
for on its page, or by the scheduler on its effective date), and writing its report
once the apply has committed."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from poser.models.data_extraction.batches import due_batches
from poser.models.orm import Batch, DataSet, Job, Upload, User
from poser.storage.interface import FileStore
from poser.tasks import jobs
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.batches.base import MESSAGE_EXECUTED, today
from poser.tasks.job_kinds import job_kind
from poser.tasks.jobs import JobQueue
from poser.tasks.permissions import may
from poser.tasks.product_history import ChangeSource
from poser.tasks.sessions import session_of
from poser.utils.progress import NullProgress, Progress

MESSAGE_NO_VERSION = (
    "This apply does not say which version of the batch it is for, so nothing was "
    "applied: apply it again from its page."
)


def batch_of(data_set: DataSet, batch_id: object) -> Batch:
    """The data set's batch: a job never reaches into another data set's batches."""
    batch = session_of(data_set).get(Batch, batch_id) if isinstance(batch_id, int) else None
    if batch is None or batch.data_set_id != data_set.id:
        raise BatchError("That batch does not exist in this data set.")
    return batch


def _populate_failed(session: Session, job: Job, message: str) -> None:
    batch = session.get(Batch, job.parameters.get("batch_id"))
    if batch is not None and batch.data_set_id == job.data_set_id:
        get_handler(batch.batch_type).populate_failed(batch, message)


@job_kind(
    "batches.populate",
    "Read the batch's file",
    idempotent=True,  # it replaces the rows of an earlier try
    uses=("files",),
    permission="edit",
    on_failure=_populate_failed,
)
def populate(
    data_set: DataSet, *, batch_id: int, files: FileStore, progress: Progress | None = None
) -> dict[str, Any]:
    batch = batch_of(data_set, batch_id)
    counts = get_handler(batch.batch_type).populate(batch, files, progress)
    result = {"batch_id": batch.id, "rows": batch.row_count, "statuses": counts}
    if batch.parameters.get("read_from"):
        result["read_from"] = batch.parameters["read_from"]  # the sheet and line read
    return result


@job_kind(
    "batches.execute",
    "Apply the batch",
    uses=("queue", "job_id"),
    permission="edit",
    user_parameter="user_id",
)
def execute(
    data_set: DataSet,
    *,
    batch_id: int,
    batch_version: int | None = None,
    user_id: int | None = None,
    queue: JobQueue,
    job_id: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Apply the batch as it was when the apply was asked for (``batch_version``)."""
    batch = batch_of(data_set, batch_id)
    if batch_version is None:
        raise BatchError(MESSAGE_NO_VERSION)
    user = session_of(data_set).get(User, user_id) if user_id else None
    via = ChangeSource("job", job_id=job_id)
    summary, report_job = execute_batch(
        batch, queue, user, progress, version=batch_version, via=via
    )
    return {"batch_id": batch.id, **summary, "report_job_id": report_job.id}


@job_kind(
    "batches.report",
    "Write the batch's change report",
    idempotent=True,  # a batch keeps the report it has; an earlier try's files are replaced
    uses=("files",),
    permission="edit",
    user_parameter="user_id",
)
def report(
    data_set: DataSet,
    *,
    batch_id: int,
    user_id: int | None = None,
    files: FileStore,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the applied batch's report once: a second run finds it written."""
    batch = batch_of(data_set, batch_id)
    user = session_of(data_set).get(User, user_id) if user_id else None
    export = get_handler(batch.batch_type).report(batch, files, user, progress)
    return {"batch_id": batch.id, "export_id": export.id if export else None}


def start_batch(
    data_set: DataSet,
    files: FileStore,
    queue: JobQueue,
    batch_type: str,
    *,
    upload: Upload,
    parameters: dict[str, Any],
    user: User | None,
) -> Batch:
    """A batch made from an upload, and the job that reads it, queued after commit."""
    batch = get_handler(batch_type).make(
        data_set, files, upload=upload, parameters=parameters, user=user
    )
    jobs.submit(
        session_of(data_set),
        queue,
        populate,
        data_set=data_set,
        user=user,
        parameters={"batch_id": batch.id},
    )
    return batch


def execute_batch(
    batch: Batch,
    queue: JobQueue,
    user: User | None,
    progress: Progress | None = None,
    *,
    version: int | None = None,
    via: ChangeSource | None = None,
) -> tuple[dict[str, Any], Job]:
    """Apply the batch (once) in the caller's transaction, and submit the job that writes
    its report: queued once that transaction commits, so it exists if and only if the
    batch was applied, and the apply's transaction holds no file work.

    ``version`` is the batch's version when the apply was asked for: a batch changed
    since is not applied. ``via`` is the job or command that applies it, which the
    products' change log names.
    """
    if version is not None and batch.version != version:
        if batch.status == "executed":
            raise BatchError(MESSAGE_EXECUTED)
        raise BatchError(
            f"Batch #{batch.id} changed after it was sent to be applied (its file was read "
            "again, or it was acknowledged or scheduled), so nothing was applied: look at "
            "it again, then apply it."
        )
    handler = get_handler(batch.batch_type)
    summary = handler.execute(batch, user, progress, via)
    session = session_of(batch)
    report_job = jobs.submit(
        session,
        queue,
        report,
        data_set=session.get_one(DataSet, batch.data_set_id),
        user=user,
        parameters={"batch_id": batch.id, "user_id": user.id if user else None},
    )
    return summary, report_job


# -- applied on their date: the scheduler's part ----------------------------------------


@job_kind(
    "batches.apply_scheduled",
    "Apply the batches whose date has come",
    scope="global",
    idempotent=True,  # it only queues applies, in its own transaction
    uses=("queue",),
)
def apply_scheduled(
    dbsession: Session,
    *,
    queue: JobQueue,
    on: str | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Queue the apply of every batch scheduled for ``on`` (default today) or a day
    before it that was missed; drop, saying why on the batch, each one that changed
    since it was scheduled or can no longer be applied."""
    day = date.fromisoformat(on) if on else today()
    progress = progress or NullProgress()
    started = dropped = 0
    for batch in due_batches(dbsession, day):
        job = start_scheduled_apply(batch, queue)
        if job is None:
            dropped += 1
            progress.log(f"batch {batch.id}: not applied: {batch.schedule_note}")
        else:
            started += 1
            progress.log(f"batch {batch.id}: apply queued as job {job.id}")
    return {"applies_queued": started, "schedules_dropped": dropped}


def start_scheduled_apply(batch: Batch, queue: JobQueue) -> Job | None:
    """Queue the apply the batch's schedule asks for, as the user who scheduled it, or
    drop the schedule with a note that says why it was not applied (None)."""
    session = session_of(batch)
    handler = get_handler(batch.batch_type)
    user = session.get(User, batch.scheduled_by_id) if batch.scheduled_by_id else None
    reason = _why_not_as_scheduled(batch, user)
    if reason:
        when = batch.scheduled_for.isoformat() if batch.scheduled_for else "today"
        handler.unschedule(batch, f"The apply scheduled for {when} was not made: {reason}")
        return None
    step = batch.scheduled_step
    handler.unschedule(batch)  # its apply is queued: nothing is left to wait for
    session.flush()  # the version the apply is for is the one after this change
    parameters: dict[str, Any] = {
        "batch_id": batch.id,
        "batch_version": batch.version,
        "user_id": user.id if user else None,
    }
    if step:
        parameters[jobs.STEP_PARAMETER] = step
    return jobs.submit(
        session,
        queue,
        execute,
        data_set=session.get_one(DataSet, batch.data_set_id),
        user=user,
        parameters=parameters,
    )


def _why_not_as_scheduled(batch: Batch, user: User | None) -> str | None:
    if batch.version != batch.scheduled_version:
        return (
            "the batch changed after it was scheduled (its file was read again, or it was "
            "acknowledged). Look at it again, then apply or schedule it."
        )
    reasons = get_handler(batch.batch_type).why_not_executable(batch)
    if reasons:
        return " ".join(reasons)
    if batch.scheduled_by_id is None:
        return None  # scheduled from the command line, by no one in particular
    # What the apply's own job takes, by the one table of roles (tasks.permissions); the
    # runner checks it again when the apply starts.
    if not may(session_of(batch), user, execute.job_kind.permission, batch.data_set_id):
        return "the user who scheduled it may no longer change this data set."
    return None
