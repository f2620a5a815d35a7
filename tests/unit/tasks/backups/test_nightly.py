"""The scheduled backup: an archive a night in the backup folder, the newest N kept,
run by the job runner as a worker runs it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from poser.tasks.backups import verify_archive
from poser.tasks.backups.nightly import backup_folder, nightly_backup, prune
from poser.tasks.jobs import TaskError
from tests.backup_support import sqlite_site


def test_each_night_adds_an_archive_and_only_the_newest_are_kept(tmp_path: Path) -> None:
    settings: dict[str, Any] = {**sqlite_site(tmp_path), "poser.backup.keep": "2"}
    folder = backup_folder(settings)
    assert folder == Path(settings["poser.appdir"]) / "backups"
    results = [
        nightly_backup(None, settings=settings, now=datetime(2026, 3, day, 2, 0, tzinfo=UTC))  # type: ignore[arg-type]
        for day in (1, 2, 3)
    ]
    assert results[0] == {
        "archive": "poser-backup-20260301T020000Z.tar.gz",
        "files": 1,
        "removed": 0,
    }
    assert results[2]["removed"] == 1
    assert sorted(p.name for p in folder.iterdir()) == [
        "poser-backup-20260302T020000Z.tar.gz",
        "poser-backup-20260303T020000Z.tar.gz",
    ]
    verify_archive(folder / "poser-backup-20260303T020000Z.tar.gz")
    assert not folder.stat().st_mode & 0o007


def test_prune_leaves_other_files_alone(tmp_path: Path) -> None:
    for name in ("poser-backup-20260101T000000Z.tar.gz", "poser-backup-20260102T000000Z.tar.gz"):
        (tmp_path / name).write_text("x")
    (tmp_path / "README").write_text("mine")
    assert prune(tmp_path, 1) == ["poser-backup-20260101T000000Z.tar.gz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "README",
        "poser-backup-20260102T000000Z.tar.gz",
    ]


def test_a_bad_setting_fails_the_job_with_words(tmp_path: Path) -> None:
    settings = {"poser.appdir": str(tmp_path), "poser.backup.keep": "0"}
    with pytest.raises(TaskError, match="must be 1 or more"):
        nightly_backup(None, settings=settings)  # type: ignore[arg-type]
    settings = {
        "poser.appdir": str(tmp_path),
        "sqlalchemy.url": f"sqlite:///{tmp_path / 'missing.sqlite'}",
    }
    with pytest.raises(TaskError, match="no database file"):
        nightly_backup(None, settings=settings)  # type: ignore[arg-type]


def test_the_plan_says_when_where_and_what_is_there(tmp_path: Path) -> None:
    from poser.tasks.backups.nightly import backup_plan

    settings = {"poser.appdir": str(tmp_path), "poser.backup.dir": "saved"}
    off = backup_plan(settings)
    assert (off.schedule, off.folder, off.keep, off.archives) == (None, tmp_path / "saved", "7", [])
    (tmp_path / "saved").mkdir()
    for name in ("poser-backup-20260101T020000Z.tar.gz", "poser-backup-20260102T020000Z.tar.gz"):
        (tmp_path / "saved" / name).write_text("x")
    on = backup_plan({**settings, "poser.schedule.backup": "0 2 * * *", "poser.backup.keep": "3"})
    assert (on.schedule, on.keep) == ("0 2 * * *", "3")
    assert on.archives[0] == "poser-backup-20260102T020000Z.tar.gz"
