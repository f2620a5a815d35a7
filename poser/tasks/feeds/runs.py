"""The feed's runs: its settings (data set parameters), a run by hand, the nightly run
of every data set that has it on, and keeping its last files.

The settings are a `ParameterGroup` stored per data set as every Application's
parameters are (``parameter_value``): whether the feed is written nightly, and how
many of its files to keep. Each run is a Job of ``feeds.write`` and a `FeedRun` row
(its job and, once written, its export). The scheduler's periodic
``feeds.run_nightly`` claims each data set's night by inserting its run (the night
is unique per data set: INSERT ... ON CONFLICT DO NOTHING), so two schedulers, or
the same night's job run twice, queue one feed a night. A run keeps the newest
files of the data set's feed, as many as its settings say, and deletes the older
ones with their exports once its transaction has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, event, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from poser.models.data_extraction.feeds import feed_exports, stored_values
from poser.models.data_extraction.parameters import stored_parameters
from poser.models.orm import DataSet, Export, FeedRun, Job, User
from poser.storage.interface import FileStore
from poser.tasks import jobs
from poser.tasks.feeds import EXPORT_TYPE, OutputTemplateError, write_feed
from poser.tasks.job_kinds import job_kind
from poser.tasks.jobs import JobQueue, TaskError
from poser.tasks.parameters import save_parameters
from poser.tasks.sessions import session_of
from poser.utils.parameters import Parameter, ParameterGroup, typed_values
from poser.utils.progress import NullProgress, Progress
from poser.utils.timeutil import utcnow

log = logging.getLogger(__name__)

#: The data sets whose Application's products the feed lists.
DATA_SET_KIND = "products"
DEFAULT_KEEP = 7
MAX_KEEP = 365
#: What turning the feed on or off, or writing it now, takes: it replaces the file
#: the store fetches, and deletes old ones.
PERMISSION = "edit"
_REMOVE_KEY = "poser.feeds.remove_after_commit"
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _keep_problem(value: int) -> str | None:
    if 1 <= value <= MAX_KEEP:
        return None
    return f"Keep from 1 to {MAX_KEEP} files."


SETTINGS = ParameterGroup(
    "product_feed",
    "Storefront product feed",
    [
        Parameter(
            "product_feed_nightly",
            "Write the feed every night",
            "bool",
            default=False,
            help="Each night (UTC) the scheduler writes the feed once.",
        ),
        Parameter(
            "product_feed_keep",
            "Files to keep",
            "int",
            default=DEFAULT_KEEP,
            validator=_keep_problem,
            help="The newest files are kept; older ones are deleted as each new one is written.",
        ),
    ],
)
_NIGHTLY, _KEEP = (parameter.name for parameter in SETTINGS.parameters)


@dataclass(frozen=True)
class FeedSettings:
    nightly: bool
    keep: int


def feed_settings(data_set: DataSet) -> FeedSettings:
    values = typed_values(SETTINGS.parameters, stored_parameters(session_of(data_set), data_set.id))
    return FeedSettings(nightly=bool(values[_NIGHTLY]), keep=int(values[_KEEP]))


def save_feed_settings(data_set: DataSet, nightly: bool, keep: int) -> list[str]:
    """Store the settings (checked as the form checks them); the names that changed."""
    values = {_NIGHTLY: nightly, _KEEP: keep}
    for parameter in SETTINGS.parameters:
        problem = parameter.problem(values[parameter.name])
        if problem:
            raise ValueError(f"{parameter.label}: {problem}")
    stored = {p.name: p.to_json(values[p.name]) for p in SETTINGS.parameters}
    return save_parameters(data_set, SETTINGS.name, stored)


@job_kind(
    "feeds.write",
    "Write the storefront product feed",
    permission=PERMISSION,
    idempotent=True,  # a new file, recorded with the run: written again, nothing doubles
    uses=("files", "job_id"),
)
def write_feed_run(
    data_set: DataSet,
    *,
    feed_run_id: int,
    files: FileStore,
    job_id: int,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the feed of ``feed_run_id``, record its file with the run, and keep the
    data set's newest files as its settings say."""
    session = session_of(data_set)
    run = session.get(FeedRun, feed_run_id)
    if run is None or run.data_set_id != data_set.id:
        raise TaskError("This run of the feed is no longer on record; nothing was written.")
    job = session.get(Job, job_id)
    try:
        export = write_feed(
            data_set,
            files,
            job_id=job_id,
            user_id=job.user_id if job is not None else None,
            progress=progress,
        )
    except OutputTemplateError as error:
        raise TaskError(f"The feed was not written. {error}") from None
    run.export_id = export.id
    session.flush()
    removed = keep_newest(data_set, files, feed_settings(data_set).keep)
    (progress or NullProgress()).log(f"Wrote {export.row_count:,} products.")
    return {"rows": export.row_count, "export_id": export.id, "removed": removed}


def keep_newest(data_set: DataSet, files: FileStore, keep: int) -> int:
    """Delete the data set's feed exports but the newest ``keep``; their files go once
    the transaction has committed (a failed commit keeps both). Returns how many."""
    session = session_of(data_set)
    older = session.scalars(feed_exports(data_set.id, EXPORT_TYPE).offset(keep)).all()
    if not older:
        return 0
    # One DELETE of those still there: two runs at once (one by hand, one nightly)
    # delete each old export once, the second finding it gone instead of failing.
    deleted = set(
        session.scalars(
            delete(Export)
            .where(Export.id.in_([export.id for export in older]))
            .returning(Export.id)
            .execution_options(synchronize_session=False)
        )
    )
    for export in older:
        session.expunge(export)
    remove_after_commit(session, files, [e.folder for e in older if e.id in deleted])
    return len(deleted)


def start_run(data_set: DataSet, queue: JobQueue, user: User) -> Job:
    """A run by hand, for ``user``: its Job, queued once the caller commits. Refused
    (AlreadyRunningError) while another run of the data set's feed has not finished."""
    session = session_of(data_set)
    jobs.refuse_while_running(session, write_feed_run, data_set)
    run = FeedRun(data_set_id=data_set.id, night=None)
    session.add(run)
    session.flush()
    job = jobs.submit(
        session, queue, write_feed_run, data_set=data_set, user=user,
        parameters={"feed_run_id": run.id},
    )  # fmt: skip
    run.job_id = job.id
    session.flush()
    return job


def claim_night(dbsession: Session, data_set: DataSet, night: date) -> int | None:
    """Insert the data set's run for ``night``: its id, or None when another scheduler
    (or an earlier run of this one) has claimed that night. On PostgreSQL a second
    claim waits for the first's transaction; on SQLite for the write lock."""
    insert = _INSERTS[dbsession.get_bind().dialect.name](FeedRun)
    claimed = dbsession.execute(
        insert.values(data_set_id=data_set.id, night=night, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["data_set_id", "night"])
        .returning(FeedRun.id)
    ).scalar()
    return claimed


def nightly_data_sets(dbsession: Session) -> list[DataSet]:
    """The data sets whose feed is on, by id."""
    nightly = SETTINGS.parameters[0]
    return [
        data_set
        for data_set, stored in stored_values(dbsession, nightly.name, DATA_SET_KIND)
        if nightly.from_json(stored)
    ]


@job_kind(
    "feeds.run_nightly",
    "Write the nightly storefront product feeds",
    scope="global",
    idempotent=True,  # a night claimed is not written again
    uses=("queue",),
)
def run_nightly(
    dbsession: Session,
    *,
    queue: JobQueue,
    on: str | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Queue the feed of each data set that has it on, for the night ``on`` (default
    today, UTC), unless that night is claimed already."""
    night = date.fromisoformat(on) if on else utcnow().date()
    progress = progress or NullProgress()
    queued = 0
    for data_set in nightly_data_sets(dbsession):
        run_id = claim_night(dbsession, data_set, night)
        if run_id is None:
            continue  # another scheduler's run queued it
        job = jobs.submit(
            dbsession, queue, write_feed_run, data_set=data_set,
            parameters={"feed_run_id": run_id},
        )  # fmt: skip
        dbsession.execute(update(FeedRun).where(FeedRun.id == run_id).values(job_id=job.id))
        queued += 1
        progress.log(f"The feed of {data_set.name}: queued as job {job.id}")
    return {"feeds_queued": queued}


def remove_after_commit(session: Session, files: FileStore, folders: Iterable[str]) -> None:
    """Remove these storage folders once ``session``'s transaction has committed; a
    rollback forgets them (their rows are back)."""
    pending = session.info.get(_REMOVE_KEY)
    if pending is None:
        pending = session.info[_REMOVE_KEY] = []
        event.listen(session, "after_commit", _remove_pending)
        event.listen(session, "after_rollback", lambda s: s.info.get(_REMOVE_KEY, []).clear())
    pending.extend((files, folder) for folder in folders)


def _remove_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: nothing is committed yet
    pending = session.info.get(_REMOVE_KEY, [])
    while pending:
        files, folder = pending.pop(0)
        try:
            files.remove_tree(folder)
        except Exception:
            # The rows are gone for good: one folder that could not go must not keep
            # the others.
            log.exception("could not remove %s after its export was deleted", folder)
