"""The scheduled backup: an archive in the backup folder, and only the newest kept.

    poser.schedule.backup = 0 2 * * *         (off unless set: crontab, UTC)
    poser.backup.dir = /srv/backups/poser     (default: the app dir's backups/)
    poser.backup.keep = 7                     (the newest N archives stay)

The default folder is beside data/, not in it, so a backup never holds the ones
before it; one on another disk survives the loss of this one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from poser.tasks.backups.archive import BackupError
from poser.tasks.backups.take import BackupSources, take_backup
from poser.tasks.job_kinds import job_kind
from poser.tasks.jobs import TaskError
from poser.utils.appdir import make_private_folder
from poser.utils.progress import Progress
from poser.utils.settings import SettingsError, setting_int
from poser.utils.timeutil import utcnow

ARCHIVE_NAME = re.compile(r"^poser-backup-\d{8}T\d{6}Z\.tar\.gz$")


def backup_folder(settings: Mapping[str, Any]) -> Path:
    configured = str(settings.get("poser.backup.dir") or "").strip()
    appdir = Path(str(settings["poser.appdir"]))
    if not configured:
        return appdir / "backups"
    folder = Path(configured).expanduser()
    return folder if folder.is_absolute() else appdir / folder


@dataclass(frozen=True)
class BackupPlan:
    """The scheduled backup as the settings give it: ``schedule`` None when it is off."""

    schedule: str | None
    folder: Path
    keep: str
    archives: list[str]  # the archives in the folder, newest first


def backup_plan(settings: Mapping[str, Any]) -> BackupPlan:
    spec = str(settings.get("poser.schedule.backup") or "").strip()
    off = spec.lower() in ("", "off", "false", "disabled", "none")
    folder = backup_folder(settings)
    names = sorted(
        (p.name for p in folder.iterdir() if ARCHIVE_NAME.match(p.name)) if folder.is_dir() else (),
        reverse=True,
    )
    keep = str(settings.get("poser.backup.keep") or 7)
    return BackupPlan(None if off else spec, folder, keep, names)


def archive_name(now: datetime) -> str:
    return f"poser-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"


def prune(folder: Path, keep: int) -> list[str]:
    """Remove all but the newest ``keep`` archives this job named (by their names'
    times); any other file in the folder is left alone."""
    archives = sorted(p.name for p in folder.iterdir() if ARCHIVE_NAME.match(p.name))
    removed = archives[: max(0, len(archives) - keep)]
    for name in removed:
        (folder / name).unlink()
    return removed


@job_kind(
    "backups.nightly",
    "Back up the app dir",
    scope="global",
    uses=("settings",),
)
def nightly_backup(
    dbsession: Session,
    *,
    settings: Mapping[str, Any],
    progress: Progress | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    try:
        keep = setting_int(settings, "poser.backup.keep", 7)
    except SettingsError as exc:
        raise TaskError(str(exc)) from exc
    if keep < 1:
        raise TaskError("poser.backup.keep must be 1 or more: the newest backups to keep")
    folder = backup_folder(settings)
    make_private_folder(folder)
    name = archive_name(now or utcnow())
    try:
        manifest = take_backup(
            BackupSources.from_settings(settings), folder / name, progress=progress
        )
    except BackupError as exc:
        raise TaskError(str(exc)) from exc
    removed = prune(folder, keep)
    return {"archive": name, "files": len(manifest["members"]), "removed": len(removed)}
