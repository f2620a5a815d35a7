"""Housekeeping the scheduler runs: scratch files, abandoned uploads, old job logs."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import Job
from poser.storage.interface import FileStore
from poser.tasks.job_kinds import job_kind
from poser.tasks.job_progress import KeyValueStore, clear_progress
from poser.utils.progress import NullProgress, Progress
from poser.utils.timeutil import utcnow

UPLOADS_PREFIX = "uploads"


@job_kind(
    "maintenance.purge_work",
    "Purge old scratch files",
    scope="global",
    idempotent=True,
    uses=("work_dir",),
)
def purge_work(
    dbsession: Session,
    *,
    work_dir: Path,
    older_than_days: int = 2,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Remove entries of the app dir's work/ not modified for ``older_than_days``."""
    progress = progress or NullProgress()
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    entries = sorted(Path(work_dir).iterdir()) if Path(work_dir).is_dir() else []
    removed = 0
    for done, entry in enumerate(entries, start=1):
        if entry.name != ".keep" and _mtime(entry) < cutoff:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
            progress.log(f"removed {entry.name}")
        progress.update(done, len(entries), f"checked {done} of {len(entries)}")
    return {"removed": removed, "kept": len(entries) - removed}


@job_kind(
    "maintenance.purge_uploads",
    "Purge abandoned uploads",
    scope="global",
    idempotent=True,
    uses=("files",),
)
def purge_uploads(
    dbsession: Session,
    *,
    files: FileStore,
    older_than_days: int = 7,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Remove uploads no batch took within ``older_than_days``.

    Making a batch moves its file out of uploads/, so whatever is still there after
    that long was never claimed.
    """
    progress = progress or NullProgress()
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    keys = [key for key in files.list(UPLOADS_PREFIX) if not key.endswith("/.keep")]
    removed = 0
    for done, key in enumerate(keys, start=1):
        if files.modified(key) < cutoff:
            files.remove(key)
            removed += 1
            progress.log(f"removed the upload {key.rsplit('/', 1)[-1]}")
        progress.update(done, len(keys), f"checked {done} of {len(keys)}")
    return {"removed": removed, "kept": len(keys) - removed}


@job_kind(
    "maintenance.purge_job_logs",
    "Purge old job logs",
    scope="global",
    idempotent=True,
    uses=("progress_store",),
)
def purge_job_logs(
    dbsession: Session,
    *,
    progress_store: KeyValueStore,
    older_than_days: int = 30,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Forget the progress and log lines of jobs that finished ``older_than_days`` ago."""
    progress = progress or NullProgress()
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    job_ids = dbsession.scalars(
        select(Job.id).where(Job.finished_at.is_not(None), Job.finished_at < cutoff)
    ).all()
    for done, job_id in enumerate(job_ids, start=1):
        clear_progress(progress_store, job_id)
        progress.update(done, len(job_ids))
    return {"purged": len(job_ids)}


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.lstat().st_mtime, tz=UTC)
