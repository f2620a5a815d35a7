"""The app dir: one folder that holds all config-adjacent state and is the whole backup."""

from __future__ import annotations

import os
from pathlib import Path

#: Folders below the app dir, in creation order. See ARCHITECTURE.md, "The app dir".
APPDIR_TREE: tuple[str, ...] = (
    "data",
    "data/batches",
    "data/exports",
    "data/templates",
    "data/upgrades",
    "data/uploads",
    "log",
    "sessions",
    "sessions/data",
    "sessions/lock",
    "work",
)

#: Owner and group only: sessions, uploads and the database are nobody else's business.
APPDIR_MODE = 0o750


def make_appdir(path: str | os.PathLike[str]) -> list[Path]:
    """Create the app dir tree under ``path``; safe to run again. Returns the folders made."""
    root = Path(path).expanduser().resolve()
    made: list[Path] = []
    for relative in ("", *APPDIR_TREE):
        folder = root / relative if relative else root
        if not folder.exists():
            folder.mkdir(parents=True, mode=APPDIR_MODE)
            made.append(folder)
        # mkdir's mode is filtered by the umask and an existing folder keeps its
        # mode, so set it explicitly: no world access, whatever was there before.
        folder.chmod(folder.stat().st_mode & 0o770 | 0o700)
    return made
