"""What an upgrade's folder says: its package diff and the ends of its logs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from poser.models.orm import Upgrade
from poser.tasks.upgrades.packages import PackageDiff, package_diff, read_snapshot
from poser.tasks.upgrades.run import AFTER, BEFORE, STDERR, STDOUT, upgrade_folder
from poser.utils.timeutil import utcnow

#: How much of a log a page shows: its last 64 KiB.
TAIL_BYTES = 64 * 1024


@dataclass(frozen=True)
class LogTail:
    text: str
    size: int  # the whole log's bytes
    truncated: bool  # only its end is in ``text``


@dataclass(frozen=True)
class UpgradeRecord:
    upgrade: Upgrade
    diff: PackageDiff | None  # None: a snapshot is missing
    packages_before: int
    stdout: LogTail
    stderr: LogTail
    duration: timedelta


def read_tail(path: Path, limit: int = TAIL_BYTES) -> LogTail:
    """The last ``limit`` bytes of ``path`` as text, from the first whole line."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - limit))
            data = handle.read()
    except FileNotFoundError:
        return LogTail("", 0, False)
    truncated = size > limit
    if truncated and b"\n" in data:
        data = data.split(b"\n", 1)[1]
    return LogTail(data.decode("utf-8", errors="replace"), size, truncated)


def duration(upgrade: Upgrade) -> timedelta:
    """How long it ran (so far, while it runs), to the second."""
    end = upgrade.finished_at or utcnow()
    return timedelta(seconds=round((end - upgrade.started_at).total_seconds()))


def duration_words(span: timedelta) -> str:
    """``span`` as people say it: "50 seconds", "3 minutes 10 seconds", "2 hours 5 minutes"."""
    seconds = max(0, round(span.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = (
        [(hours, "hour"), (minutes, "minute")]
        if hours
        else [(minutes, "minute"), (seconds, "second")]
    )
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(words) or "0 seconds"


def read_record(upgrades_dir: Path, upgrade: Upgrade, tail: int = TAIL_BYTES) -> UpgradeRecord:
    folder = upgrade_folder(upgrades_dir, upgrade.id)
    before, after = read_snapshot(folder / BEFORE), read_snapshot(folder / AFTER)
    diff = package_diff(before, after) if before is not None and after is not None else None
    return UpgradeRecord(
        upgrade=upgrade,
        diff=diff,
        packages_before=len(before or {}),
        stdout=read_tail(folder / STDOUT, tail),
        stderr=read_tail(folder / STDERR, tail),
        duration=duration(upgrade),
    )
