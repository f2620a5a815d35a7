"""`take_backup`: one consistent archive of the app dir while the site runs.

The main database is copied first, in one read transaction (SQLite's online backup
API in one step, or pg_dump on an exported snapshot that the row counts are read in
too), so its rows are of one moment. Then data/, uploads first: making a batch moves
its file from uploads/ to batches/, so a file moved meanwhile is met again in
batches/, never missed in both.
"""

from __future__ import annotations

import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import URL, make_url, text

from poser.models.engine import get_engine
from poser.models.orm import Base
from poser.tasks.backups.archive import (
    DATA_PREFIX,
    FORMAT,
    PGDUMP_MEMBER,
    QUEUE_MEMBER,
    SQLITE_MEMBER,
    BackupError,
    Member,
    add_file,
    add_manifest,
)
from poser.utils.progress import NullProgress, Progress
from poser.utils.timeutil import utcnow

#: data/'s folders in the order they are read (see the module's docstring); others after.
DATA_ORDER = ("uploads", "batches", "exports", "templates", "upgrades")
PG_DUMP_MISSING = (
    "pg_dump is not on PATH, and a PostgreSQL database is backed up with it: install "
    "PostgreSQL's client programs (the server's major version or newer; on Debian, "
    "apt install postgresql-client) and run poser backup again, or dump the database "
    "yourself with pg_dump --format=custom and keep it beside a copy of the app dir's data/"
)


@dataclass(frozen=True)
class BackupSources:
    """What a backup reads: the app dir, the main database, huey's SQLite file (None
    when the queue is on Redis, which keeps no state a restore needs) and the file
    store's backend (files on S3 are not in the app dir)."""

    appdir: Path
    database_url: str
    queue_file: Path | None
    storage_backend: str = "local"

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> BackupSources:
        appdir = Path(str(settings["poser.appdir"]))
        queue_url = str(settings.get("poser.queue.url") or "").strip()
        return cls(
            appdir=appdir,
            database_url=str(settings["sqlalchemy.url"]),
            queue_file=None if queue_url else appdir / "data" / "queue.sqlite",
            storage_backend=str(settings.get("poser.storage.backend") or "local").strip(),
        )

    @property
    def url(self) -> URL:
        return make_url(self.database_url)


def take_backup(
    sources: BackupSources,
    target: Path,
    *,
    pg_dump: str | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the archive ``target`` (refused if it exists); returns its manifest.

    It is written beside ``target`` under another name and renamed when complete, so a
    backup that fails leaves no archive that looks whole."""
    progress = progress or NullProgress()
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists already: name a new file")
    if not target.parent.is_dir():
        raise BackupError(f"no folder {target.parent} to write the backup in")
    partial = target.with_name(f".{target.name}.partial")
    scratch_root = sources.appdir / "work"
    with tempfile.TemporaryDirectory(
        prefix="backup-", dir=scratch_root if scratch_root.is_dir() else None
    ) as scratch:
        staged = Path(scratch)
        try:
            manifest = _write(sources, staged, partial, target, pg_dump, progress)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _write(
    sources: BackupSources,
    staged: Path,
    partial: Path,
    target: Path,
    pg_dump: str | None,
    progress: Progress,
) -> dict[str, Any]:
    backend = sources.url.get_backend_name()
    progress.update(0, None, "copying the database")
    if backend == "sqlite":
        database_file = Path(sources.url.database or "")
        snapshot = staged / "poser.sqlite"
        sqlite_snapshot(database_file, snapshot)
        revision, counts = _sqlite_facts(snapshot)
        database = {"backend": "sqlite", "member": SQLITE_MEMBER}
        database_members = [(SQLITE_MEMBER, snapshot)]
        own_files = _sqlite_files(database_file)
    elif backend == "postgresql":
        dump = staged / "poser.pgdump"
        revision, counts = _pg_dump(sources, dump, pg_dump or shutil.which("pg_dump"))
        database = {"backend": "postgresql", "member": PGDUMP_MEMBER}
        database_members = [(PGDUMP_MEMBER, dump)]
        own_files = set()
    else:
        raise BackupError(f"backing up a {backend} database is not supported")

    queue: dict[str, Any] = {"member": None, "note": "the queue is on Redis"}
    if sources.queue_file is not None and sources.queue_file.is_file():
        progress.update(0, None, "copying the queue")
        queue_copy = staged / "queue.sqlite"
        sqlite_snapshot(sources.queue_file, queue_copy)
        database_members.append((QUEUE_MEMBER, queue_copy))
        own_files |= _sqlite_files(sources.queue_file)
        queue = {"member": QUEUE_MEMBER}

    members: list[Member] = []
    data_dir = sources.appdir / "data"
    skip = own_files | {partial.resolve(), target.resolve()}
    files = [path for path in data_files(data_dir) if path.resolve() not in skip]
    with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
        for name, path in database_members:
            members.append(add_file(tar, name, path))
        for done, path in enumerate(files, start=1):
            try:
                relative = path.relative_to(data_dir).as_posix()
                members.append(add_file(tar, DATA_PREFIX + relative, path))
            except FileNotFoundError:
                continue  # removed since the walk (an upload purged): not part of the site
            progress.update(done, len(files), f"{done} of {len(files)} files")
        manifest = {
            "format": FORMAT,
            "poser_version": _version("poser"),
            "python": platform.python_version(),
            "created_at": utcnow().isoformat(timespec="seconds"),
            "alembic_revision": revision,
            "database": database,
            "queue": queue,
            "storage": sources.storage_backend,
            "row_counts": counts,
            "members": {m.name: {"size": m.size, "sha256": m.sha256} for m in members},
        }
        add_manifest(tar, manifest)
    return manifest


def sqlite_snapshot(source: Path, copy: Path) -> None:
    """Copy the SQLite database ``source`` to ``copy`` through SQLite's online backup
    API, in one step: one read transaction, so the copy is one moment's database while
    writers go on (WAL). The copy is left in rollback-journal mode, one file."""
    if not source.is_file():
        raise BackupError(f"no database file {source}: is the app dir's database elsewhere?")
    reader = sqlite3.connect(source, timeout=30)
    writer = sqlite3.connect(copy)
    try:
        reader.backup(writer)
        writer.execute("PRAGMA journal_mode = DELETE")
    finally:
        writer.close()
        reader.close()


def data_files(data_dir: Path) -> Iterator[Path]:
    """The plain files under data/, in `DATA_ORDER`'s folders first; links are skipped."""
    if not data_dir.is_dir():
        return
    folders = sorted(
        (p for p in data_dir.iterdir() if p.is_dir() and not p.is_symlink()),
        key=lambda p: (
            DATA_ORDER.index(p.name) if p.name in DATA_ORDER else len(DATA_ORDER),
            p.name,
        ),
    )
    for path in sorted(data_dir.iterdir()):
        if path.is_file() and not path.is_symlink():
            yield path
    for folder in folders:
        for root, dirs, names in os.walk(folder):
            dirs.sort()
            for name in sorted(names):
                path = Path(root) / name
                if path.is_file() and not path.is_symlink():
                    yield path


def model_tables() -> list[str]:
    return [table.name for table in Base.metadata.sorted_tables]


def _sqlite_files(database: Path) -> set[Path]:
    base = database.resolve()
    return {base, *(base.with_name(base.name + s) for s in ("-wal", "-shm", "-journal"))}


def _sqlite_facts(snapshot: Path) -> tuple[str | None, dict[str, int]]:
    connection = sqlite3.connect(snapshot)
    try:
        present = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        counts = {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for name in model_tables()
            if name in present
        }
        revision = None
        if "alembic_version" in present:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        return revision, counts
    finally:
        connection.close()


def _pg_dump(
    sources: BackupSources, dump: Path, pg_dump: str | None
) -> tuple[str | None, dict[str, int]]:
    """pg_dump, custom format, of the snapshot a REPEATABLE READ transaction exports:
    the dump and the row counts read in that transaction are of the same moment."""
    if not pg_dump:
        raise BackupError(PG_DUMP_MISSING)
    url = sources.url
    engine = get_engine({"sqlalchemy.url": sources.database_url})
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                present = set(
                    connection.execute(
                        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                    ).scalars()
                )
                counts = {
                    name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()  # noqa: S608
                    for name in model_tables()
                    if name in present
                }
                revision = None
                if "alembic_version" in present:
                    revision = connection.execute(
                        text("SELECT version_num FROM alembic_version")
                    ).scalar()
                run_pg_tool(
                    [pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                     f"--file={dump}", f"--dbname={libpq_url(url)}"],
                    url,
                    "pg_dump",
                )  # fmt: skip
    finally:
        engine.dispose()
    return revision, counts


def libpq_url(url: URL) -> str:
    """``url`` as libpq reads it: no SQLAlchemy driver, no password (that goes in the
    environment, never on a command line other users can list)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def run_pg_tool(command: list[str], url: URL, name: str) -> None:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()
        raise BackupError(
            f"{name} failed: {detail[-1] if detail else 'exit code ' + str(result.returncode)}"
        )


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
