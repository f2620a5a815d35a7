"""Batch work that runs as jobs: populating a batch from its file, and executing it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from poser.models.orm import Batch, DataSet, Job, User
from poser.storage.interface import FileStore
from poser.tasks.batch_report import write_change_report
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.batches.base import session_of
from poser.tasks.job_kinds import job_kind
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
    on_failure=_populate_failed,
)
def populate(
    data_set: DataSet, *, batch_id: int, files: FileStore, progress: Progress | None = None
) -> dict[str, Any]:
    batch = batch_of(data_set, batch_id)
    counts = get_handler(batch.batch_type).populate(batch, files, progress)
    return {"batch_id": batch.id, "rows": batch.row_count, "statuses": counts}


@job_kind("batches.execute", "Apply the batch", uses=("files",))
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
    summary = get_handler(batch.batch_type).execute(batch, user, progress)
    result: dict[str, Any] = {"batch_id": batch.id, **summary}
    if batch.batch_type == "catalog":
        report = write_change_report(batch, files, user, progress)
        result["export_id"] = report.id
    return result
