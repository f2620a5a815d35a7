"""The installed distributions as ``name==version`` lines, and the difference between
two such snapshots: what an upgrade added, removed and changed."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from poser.utils.appdir import FILE_MODE


def canonical_name(name: str) -> str:
    """A distribution's name as PEP 503 compares them: ``Zope.SQLAlchemy`` is
    ``zope-sqlalchemy``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_packages() -> dict[str, str]:
    """Every distribution this interpreter finds now, by canonical name: read afresh,
    so packages an upgrade installed meanwhile are seen."""
    importlib.invalidate_caches()
    packages: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            packages.setdefault(canonical_name(name), dist.version)
    return dict(sorted(packages.items()))


def write_snapshot(path: Path, packages: dict[str, str]) -> None:
    path.write_text("".join(f"{n}=={v}\n" for n, v in sorted(packages.items())), "utf-8")
    path.chmod(FILE_MODE)


def read_snapshot(path: Path) -> dict[str, str] | None:
    """The snapshot at ``path``; None when there is none (an upgrade killed before)."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return None
    packages = {}
    for line in text.splitlines():
        name, sep, version = line.strip().partition("==")
        if sep and name:
            packages[canonical_name(name)] = version
    return packages


@dataclass(frozen=True)
class PackageDiff:
    added: list[tuple[str, str]] = field(default_factory=list)  # (name, version)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # (name, old, new)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def package_diff(before: dict[str, str], after: dict[str, str]) -> PackageDiff:
    """What changed from ``before`` to ``after``, each list in name order."""
    return PackageDiff(
        added=[(n, after[n]) for n in sorted(after.keys() - before.keys())],
        removed=[(n, before[n]) for n in sorted(before.keys() - after.keys())],
        changed=[
            (n, before[n], after[n])
            for n in sorted(before.keys() & after.keys())
            if before[n] != after[n]
        ],
    )
