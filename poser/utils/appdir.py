"""The app dir: one folder that holds all config-adjacent state and is the whole backup.

Nothing in it is anyone else's business: folders are made without world access, files
the app writes itself get ``FILE_MODE``, and every process sets ``PRIVATE_UMASK`` when
it starts (``keep_files_private``), which covers what libraries create for it (the
SQLite database and its journals, huey's queue, beaker's session files).
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

#: Folders below the app dir, in creation order. See docs/architecture.md, "The app dir".
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
#: A file the app writes: the owner reads and writes it, the group reads it.
FILE_MODE = 0o640
#: Masked off everything the process creates: no write for the group, nothing for others.
PRIVATE_UMASK = 0o027


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


def make_private_folder(path: str | os.PathLike[str]) -> None:
    """Create the folder ``path`` and its missing parents with ``APPDIR_MODE``.

    ``os.makedirs`` gives the parents it makes the umask's mode, not the one asked for;
    here every folder made has no world access whatever the umask. Safe when another
    process makes the same folder at the same time.
    """
    missing: list[Path] = []
    folder = Path(path)
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=APPDIR_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise


def keep_files_private() -> None:
    """Make sure nothing this process creates from now on is open to the world.

    Sets the umask to at least ``PRIVATE_UMASK`` (an operator's stricter one stays), and
    takes the world's access away from the log files already open (pserve opens them
    before it builds the app). Called once where each process starts: the WSGI app
    factory and the ``poser`` command.
    """
    os.umask(os.umask(PRIVATE_UMASK) | PRIVATE_UMASK)
    for path in _open_log_files():
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
            if mode & 0o007:
                os.chmod(path, mode & ~0o007)
        except OSError:  # gone, or not ours to change: the umask still covers new ones
            continue


def _open_log_files() -> set[str]:
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    return {
        handler.baseFilename
        for logger in loggers
        for handler in getattr(logger, "handlers", ())
        if isinstance(handler, logging.FileHandler)
    }
