"""What the app info page tells an admin about the running site: versions, database,
app dir and its free disk, queue and workers, file storage, the scheduler's last runs,
and the latest errors in the app dir's logs."""

from __future__ import annotations

import platform
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from alembic.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.models.orm import Job, PeriodicRun

#: A log record's first line that says ERROR or CRITICAL (the ini's generic format).
ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL|FATAL)\b")
LOG_TAIL_BYTES = 256 * 1024


@dataclass(frozen=True)
class PeriodicState:
    name: str
    scheduled_for: datetime
    status: str | None  # the job's; None when the job is gone


@dataclass(frozen=True)
class SiteFacts:
    poser_version: str
    python_version: str
    database_backend: str
    schema_revision: str | None
    appdir: str
    disk_free: int | None  # bytes free where the app dir is
    disk_total: int | None
    queue_backend: str
    queue: dict[str, Any]  # the queue's status(): ok, pending, last heartbeat and its age
    storage_backend: str
    periodic: list[PeriodicState]
    log_files: list[str]
    errors: list[str]  # the latest error records, newest last


def site_facts(
    dbsession: Session,
    settings: Mapping[str, Any],
    queue_backend: str,
    queue_status: dict[str, Any],
) -> SiteFacts:
    appdir = Path(str(settings["poser.appdir"]))
    try:
        usage = shutil.disk_usage(appdir)
        free, total = usage.free, usage.total
    except OSError:
        free = total = None
    connection = dbsession.connection()
    log_files = app_logs(appdir)
    return SiteFacts(
        poser_version=_version("poser"),
        python_version=platform.python_version(),
        database_backend=connection.dialect.name,
        schema_revision=MigrationContext.configure(connection).get_current_revision(),
        appdir=str(appdir),
        disk_free=free,
        disk_total=total,
        queue_backend=queue_backend,
        queue=queue_status,
        storage_backend=str(settings.get("poser.storage.backend") or "local"),
        periodic=last_periodic_runs(dbsession),
        log_files=[path.name for path in log_files],
        errors=latest_errors(log_files),
    )


def last_periodic_runs(dbsession: Session) -> list[PeriodicState]:
    """Each periodic job's latest scheduled run and how its job ended, by name."""
    latest = (
        select(PeriodicRun.name, func.max(PeriodicRun.scheduled_for).label("at"))
        .group_by(PeriodicRun.name)
        .subquery()
    )
    rows = dbsession.execute(
        select(PeriodicRun.name, PeriodicRun.scheduled_for, Job.status)
        .join(
            latest, (latest.c.name == PeriodicRun.name) & (latest.c.at == PeriodicRun.scheduled_for)
        )
        .outerjoin(Job, Job.id == PeriodicRun.job_id)
        .order_by(PeriodicRun.name)
    ).all()
    return [PeriodicState(*row) for row in rows]


def app_logs(appdir: Path) -> list[Path]:
    """The app dir's current log files (log/*.log; rotated ones end in .1, .2...)."""
    folder = appdir / "log"
    return sorted(folder.glob("*.log")) if folder.is_dir() else []


def latest_errors(paths: list[Path], limit: int = 20) -> list[str]:
    """The last ``limit`` error records of the logs' ends, each its first line and the
    lines that follow it (a traceback) up to the next record: log by log, each in its
    own order (oldest first)."""
    records: list[str] = []
    for path in paths:
        text = _tail(path)
        current: list[str] | None = None
        for line in text.splitlines():
            if _starts_record(line):
                if current:
                    records.append("\n".join(current))
                current = [line] if ERROR_LINE.search(line) else None
            elif current is not None:
                current.append(line)
        if current:
            records.append("\n".join(current))
    return records[-limit:]


def _starts_record(line: str) -> bool:
    # The generic format starts each record with its time (development) or its level.
    return bool(re.match(r"^(\d{4}-\d\d-\d\d |(DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL)\b)", line))


def _tail(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - LOG_TAIL_BYTES))
            data = handle.read()
    except OSError:
        return ""
    if size > LOG_TAIL_BYTES and b"\n" in data:
        data = data.split(b"\n", 1)[1]
    return data.decode("utf-8", errors="replace")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"
