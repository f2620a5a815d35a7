"""Batch work that runs as jobs: populating a batch from its file, and executing it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from poser.models.orm import Batch, DataSet, Export, Job, Upload, User
from poser.storage.interface import FileStore
from poser.tasks import jobs
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.job_kinds import job_kind
from poser.tasks.jobs import JobQueue
from poser.tasks.sessions import session_of
from poser.utils.progress import Progress


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
    uses=("files",),
    permission="edit",
    user_parameter="user_id",
)
def execute(
    data_set: DataSet,
    *,
    batch_id: int,
    user_id: int | None = None,
    files: FileStore,
    progress: Progress | None = None,
) -> dict[str, Any]:
    batch = batch_of(data_set, batch_id)
    user = session_of(data_set).get(User, user_id) if user_id else None
    summary, report = execute_batch(batch, files, user, progress)
    result: dict[str, Any] = {"batch_id": batch.id, **summary}
    if report is not None:
        result["export_id"] = report.id
    return result


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
        "batches.populate",
        data_set=data_set,
        user=user,
        parameters={"batch_id": batch.id},
    )
    return batch


def execute_batch(
    batch: Batch, files: FileStore, user: User | None, progress: Progress | None = None
) -> tuple[dict[str, Any], Export | None]:
    """Apply the batch (once) and write its report, in the caller's transaction."""
    handler = get_handler(batch.batch_type)
    summary = handler.execute(batch, user, progress)
    return summary, handler.write_report(batch, files, user, progress)
