"""What every batch type does: make, populate, refresh a row, say why it cannot execute
yet, schedule it for its effective date, execute (once), report, delete (the caller
removes its files once that has committed). A type's module fills in the row work.

Every change to a batch moves its version on (SQLAlchemy's version counter): a form
names the version its page showed, and is refused once the batch has changed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from poser.models.data_extraction.batches import batch_report
from poser.models.orm import Batch, BatchExecution, DataSet, Export, Upload, User
from poser.storage.interface import FileStore
from poser.tasks.jobs import TaskError
from poser.tasks.product_history import ChangeSource
from poser.tasks.sessions import session_of
from poser.utils.progress import NullProgress, Progress
from poser.utils.timeutil import utcnow

MESSAGE_EXECUTED = "This batch has already been applied; it will not run again."
MESSAGE_DELETED = "This batch was deleted, with its rows and its file."


def applied_message(batch: Batch) -> str:
    """What an applied batch's Apply step says: it is done, and for good."""
    if batch.executed_at is None:
        return MESSAGE_EXECUTED
    day = batch.executed_at.astimezone().date()  # where Poser runs, as ``took_effect``
    return f"This batch was applied on {day.isoformat()}; it will not run again."


class BatchError(TaskError):
    """A batch that cannot do what was asked; the message is for the operator."""


def today() -> date:
    """The day an effective date is compared with: today where Poser runs (the server's
    time zone), the day on the operator's calendar."""
    return datetime.now().astimezone().date()


def moved_on(batch: Batch) -> None:
    """Move the batch's version on at the next flush even when none of its own columns
    changes (one of its rows did): a page that showed it before must not act on it."""
    flag_modified(batch, "status_counts")


def effective_date(batch: Batch) -> date | None:
    """When the batch's changes take effect; None when it does not say."""
    value = (batch.parameters or {}).get("effective_date")
    return date.fromisoformat(value) if value else None


def took_effect(batch: Batch) -> date | None:
    """When an applied batch's changes took effect: its effective date, or else the day
    it was applied (where Poser runs, as ``today``)."""
    applied = batch.executed_at.astimezone().date() if batch.executed_at else None
    return effective_date(batch) or applied


def early_until(batch: Batch, on: date | None = None) -> date | None:
    """The batch's effective date when it is after ``on`` (default today): applying
    the batch before then is applying it early."""
    effective = effective_date(batch)
    return effective if effective is not None and effective > (on or today()) else None


class BatchHandler:
    """The lifecycle of one batch type. Subclasses set ``batch_type``, ``title``,
    ``row_class`` and ``data_sets_of``, and implement ``populate_rows``, ``refresh_row``
    and ``execute_rows``."""

    batch_type: ClassVar[str]
    title: ClassVar[str]
    row_class: ClassVar[Any]
    #: The kind of data set (DataSet.application) whose data the batch changes: a batch
    #: is made on such a data set alone, whoever asks (a step, the CLI, a job).
    data_sets_of: ClassVar[str]

    def folder(self, batch: Batch) -> str:
        return f"batches/{self.batch_type}/{batch.id}"

    # -- make -------------------------------------------------------------------------

    def make(
        self,
        data_set: DataSet,
        files: FileStore,
        *,
        upload: Upload | None = None,
        parameters: dict[str, Any] | None = None,
        user: User | None = None,
        description: str = "",
    ) -> Batch:
        """A new batch; an uploaded file moves into the batch's folder. BatchError when
        the data set is not of the kind the batch type changes."""
        self.check_data_set(data_set)
        session = session_of(data_set)
        batch = Batch(
            data_set_id=data_set.id,
            batch_type=self.batch_type,
            status="new",
            description=description[:255],
            parameters=self.check_parameters(session, data_set, dict(parameters or {})),
            created_by_id=user.id if user else None,
        )
        session.add(batch)
        session.flush()
        if upload is not None:
            if upload.data_set_id != data_set.id:
                raise BatchError("That file was uploaded to another data set.")
            key = f"{self.folder(batch)}/{upload.filename}"
            files.move(upload.key, key)
            upload.key = key
            batch.input_key, batch.input_filename = key, upload.filename
            if not batch.description:
                batch.description = upload.filename[:255]
        session.flush()
        return batch

    def check_data_set(self, data_set: DataSet) -> None:
        """BatchError unless the data set is of the kind this batch type changes."""
        if data_set.application != self.data_sets_of:
            kind = self.data_sets_of.capitalize()
            raise BatchError(
                f"{data_set.name} is not a {kind} data set: {self.title.lower()}s are"
                f" made on {kind} data sets."
            )

    def check_parameters(
        self, session: Session, data_set: DataSet, parameters: dict[str, Any]
    ) -> dict[str, Any]:
        """The parameters as stored; raise BatchError for ones that cannot be used."""
        return parameters

    # -- populate ---------------------------------------------------------------------

    def populate(
        self, batch: Batch, files: FileStore, progress: Progress | None = None
    ) -> dict[str, int]:
        """Read the input file into rows, replacing any rows from an earlier try."""
        if batch.status == "executed":
            raise BatchError(MESSAGE_EXECUTED)
        if batch.deleted_at is not None:
            raise BatchError(MESSAGE_DELETED)
        if not batch.input_key:
            raise BatchError("This batch has no file to read.")
        session = session_of(batch)
        session.execute(delete(self.row_class).where(self.row_class.batch_id == batch.id))
        counts = self.populate_rows(batch, files, progress or NullProgress())
        batch.status, batch.error = "populated", None
        batch.populated_at = utcnow()
        batch.acknowledged_at = batch.acknowledged_by_id = None
        batch.status_counts = counts
        batch.row_count = sum(counts.values())
        return counts

    def populate_failed(self, batch: Batch, message: str) -> None:
        """Remember why the file could not be read (the rows were rolled back)."""
        if batch.status != "executed" and batch.deleted_at is None:
            batch.status, batch.error = "failed", message

    def populate_rows(
        self, batch: Batch, files: FileStore, progress: Progress
    ) -> dict[str, int]:  # pragma: no cover - abstract
        raise NotImplementedError

    def refresh_row(self, batch: Batch, row_id: int) -> None:  # pragma: no cover - abstract
        """Compare one row again with the data set, as populate did."""
        raise NotImplementedError

    def count_statuses(self, batch: Batch) -> dict[str, int]:
        rows = session_of(batch).execute(
            select(self.row_class.status, func.count())
            .where(self.row_class.batch_id == batch.id)
            .group_by(self.row_class.status)
        )
        return {status or "pending": count for status, count in rows}

    # -- review -----------------------------------------------------------------------

    def needs_acknowledgement(self, batch: Batch) -> int:
        """How many rows someone must look at before executing (0: none)."""
        return batch.status_counts.get("error", 0)

    def acknowledge(self, batch: Batch, user: User | None) -> None:
        batch.acknowledged_at = utcnow()
        batch.acknowledged_by_id = user.id if user else None

    def why_not_executable(self, batch: Batch) -> list[str]:
        """The reasons this batch cannot execute yet; empty when it can."""
        if batch.status == "executed":
            return [applied_message(batch)]
        if batch.deleted_at is not None:
            return [MESSAGE_DELETED]
        if batch.status == "failed":
            return [f"Its file could not be read: {batch.error}"]
        if batch.status != "populated":
            return ["Its file has not been read yet."]
        reasons = []
        waiting = self.needs_acknowledgement(batch)
        if waiting and batch.acknowledged_at is None:
            reasons.append(
                f"{waiting:,} row(s) are in error: review them and acknowledge that "
                "they will be skipped."
            )
        return reasons

    # -- schedule ---------------------------------------------------------------------

    def schedule(self, batch: Batch, user: User | None, step: str | None, on: date) -> None:
        """Have the scheduler apply the batch on its effective date, as ``user``, if it
        is then as it is now. ``on`` is today: only a batch dated after it is scheduled."""
        reasons = self.why_not_executable(batch)
        if reasons:
            raise BatchError(" ".join(reasons))
        effective = early_until(batch, on)
        if effective is None:
            raise BatchError(
                "Its effective date is not after today, so there is nothing to wait for: "
                "apply it now."
            )
        session = session_of(batch)
        session.flush()  # the version below is the one after this change alone
        batch.scheduled_for = effective
        batch.scheduled_by_id = user.id if user else None
        batch.scheduled_step = step
        batch.schedule_note = None
        # SQLAlchemy's counter adds one per UPDATE of the batch: this change's.
        batch.scheduled_version = batch.version + 1
        session.flush()
        if batch.version != batch.scheduled_version:  # pragma: no cover - a broken counter
            raise RuntimeError(f"batch {batch.id}: version {batch.version} after scheduling")

    def unschedule(self, batch: Batch, note: str | None = None) -> None:
        """Drop the batch's schedule; ``note`` says why when the operator did not."""
        batch.scheduled_for = batch.scheduled_by_id = None
        batch.scheduled_version = None
        batch.scheduled_step = None
        batch.schedule_note = note

    # -- execute ----------------------------------------------------------------------

    def execute(
        self,
        batch: Batch,
        user: User | None,
        progress: Progress | None = None,
        via: ChangeSource | None = None,
    ) -> dict[str, Any]:
        """Apply the batch, in the caller's transaction: all of it or, on any failure,
        nothing. The BatchExecution row is inserted first, so a second execution stops
        at the database's primary key before it changes anything.

        Each product's change log names the batch, ``user`` and what ran the apply
        (``via``'s job or command)."""
        session = session_of(batch)
        reasons = self.why_not_executable(batch)
        if reasons:
            raise BatchError(" ".join(reasons))
        try:
            with session.begin_nested():
                session.add(
                    BatchExecution(batch_id=batch.id, executed_by_id=user.id if user else None)
                )
        except IntegrityError:
            raise BatchError(MESSAGE_EXECUTED) from None
        source = ChangeSource(
            "batch",
            user_id=user.id if user else None,
            batch_id=batch.id,
            job_id=via.job_id if via else None,
            command=via.command if via else None,
        )
        summary = self.execute_rows(batch, user, progress or NullProgress(), source)
        batch.status = "executed"
        batch.executed_at = utcnow()
        batch.executed_by_id = user.id if user else None
        batch.execution_summary = summary
        if batch.scheduled_for is not None:
            self.unschedule(batch)  # applied: there is nothing left to wait for
        return summary

    def execute_rows(
        self, batch: Batch, user: User | None, progress: Progress, source: ChangeSource
    ) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- report -----------------------------------------------------------------------

    def report(
        self, batch: Batch, files: FileStore, user: User | None, progress: Progress | None = None
    ) -> Export | None:
        """The executed batch's report, written once: a batch that has one keeps it."""
        if batch.status != "executed":
            raise BatchError("This batch has not been applied: there is nothing to report yet.")
        return batch_report(session_of(batch), batch.id) or self.write_report(
            batch, files, user, progress or NullProgress()
        )

    def write_report(
        self, batch: Batch, files: FileStore, user: User | None, progress: Progress
    ) -> Export | None:
        """What an executed batch changed, as an export; None for a type without one."""
        return None

    # -- delete -----------------------------------------------------------------------

    def delete(self, batch: Batch, user: User | None = None) -> str:
        """Delete a batch that was not applied: its rows and its file's Upload row go,
        its ``batch`` row stays, marked deleted by ``user``, so that its number is never
        given to another batch (SQLite gives the highest id again once its row is gone)
        and logs that name it still mean one batch. Return the storage folder of its
        files, for the caller to remove once the deletion has committed. An applied
        batch is the record of what it changed, and is kept."""
        if batch.status == "executed":
            raise BatchError("An applied batch is the record of what it changed; it is kept.")
        if batch.deleted_at is not None:
            raise BatchError(f"Batch #{batch.id} was already deleted.")
        session = session_of(batch)
        session.execute(delete(self.row_class).where(self.row_class.batch_id == batch.id))
        session.execute(delete(Upload).where(Upload.key.startswith(self.folder(batch) + "/")))
        batch.deleted_at = utcnow()
        batch.deleted_by_id = user.id if user else None
        batch.status_counts, batch.row_count = {}, 0
        batch.input_key = None
        if batch.scheduled_for is not None:
            self.unschedule(batch)
        session.flush()
        return self.folder(batch)
