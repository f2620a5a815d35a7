"""`restore_backup`: an app dir rebuilt from a backup archive, checked before and after.

Every member is checked against the manifest's SHA-256 before anything is written (a
damaged archive restores nothing), and again as it is written. A SQLite database goes
to data/poser.sqlite, where an app dir's settings find it by default, and its row
counts must be the manifest's. A PostgreSQL dump is loaded with pg_restore into the
empty database given, or left beside data/ with the command that loads it.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import inspect, make_url, text

from poser.models.db_management import alembic_config
from poser.models.engine import get_engine
from poser.tasks.backups.archive import (
    CHUNK,
    DATA_PREFIX,
    MANIFEST,
    PGDUMP_MEMBER,
    QUEUE_MEMBER,
    SQLITE_MEMBER,
    BackupError,
    members_of,
    verify_archive,
)
from poser.tasks.backups.take import libpq_url, model_tables, run_pg_tool
from poser.utils.appdir import FILE_MODE, make_appdir, make_private_folder

PGDUMP_FILE = "poser.pgdump"


@dataclass
class Restored:
    """What a restore did: the manifest it followed, and where the database is."""

    manifest: dict[str, Any]
    appdir: Path
    database: str  # the SQLite file, the PostgreSQL database loaded, or the dump left
    files: int = 0
    pg_restore_command: str | None = None  # when the dump is left for the operator
    notes: list[str] = field(default_factory=list)


def restore_backup(
    archive: Path,
    appdir: Path,
    *,
    force: bool = False,
    database_url: str | None = None,
    pg_restore: str | None = None,
) -> Restored:
    """Rebuild the app dir ``appdir`` from ``archive``.

    A non-empty ``appdir`` is refused unless ``force``, which replaces its data/ whole
    (log/ and the rest stay). ``database_url`` names the empty PostgreSQL database a
    dump is loaded into (``force`` lets it hold tables, which pg_restore replaces)."""
    archive, appdir = Path(archive), Path(appdir)
    manifest = verify_archive(archive)
    if appdir.exists() and not appdir.is_dir():
        raise BackupError(f"{appdir} is a file, not a folder for an app dir")
    if appdir.is_dir() and any(appdir.iterdir()) and not force:
        raise BackupError(
            f"{appdir} is not empty: restore into an empty folder, "
            "or give --force to replace its data/"
        )
    backend = manifest["database"]["backend"]
    if backend == "postgresql" and database_url:
        _check_empty_database(database_url, force)
    if force and (appdir / "data").is_dir():
        shutil.rmtree(appdir / "data")
    make_appdir(appdir)
    appdir = appdir.resolve()

    restored = Restored(manifest, appdir, str(appdir / "data" / "poser.sqlite"))
    unknown = _unknown_revision(manifest.get("alembic_revision"))
    if unknown:
        restored.notes.append(unknown)
    dump = appdir / PGDUMP_FILE
    destinations = {SQLITE_MEMBER: appdir / "data" / "poser.sqlite", PGDUMP_MEMBER: dump}
    destinations[QUEUE_MEMBER] = appdir / "data" / "queue.sqlite"
    expected = members_of(manifest)
    with tarfile.open(archive, "r:gz") as tar:
        for info in tar:
            if info.name == MANIFEST:
                continue
            if info.name.startswith(DATA_PREFIX):
                path = appdir / "data" / info.name[len(DATA_PREFIX) :]
                restored.files += 1
            else:
                path = destinations[info.name]
            _extract(tar, info, path, expected[info.name].sha256)

    if backend == "sqlite":
        _check_counts(manifest, _sqlite_counts(appdir / "data" / "poser.sqlite"))
    elif database_url:
        url = make_url(database_url)
        run_pg_tool(
            [pg_restore or shutil.which("pg_restore") or "pg_restore", "--no-owner",
             "--exit-on-error", *(["--clean", "--if-exists"] if force else []),
             f"--dbname={libpq_url(url)}", str(dump)],
            url,
            "pg_restore",
        )  # fmt: skip
        dump.unlink()
        _check_counts(manifest, _pg_counts(database_url))
        restored.database = url.render_as_string(hide_password=True)
    else:
        restored.database = str(dump)
        restored.pg_restore_command = (
            f"pg_restore --no-owner --exit-on-error --dbname=<empty database URL> {dump}"
        )
    return restored


def _unknown_revision(revision: str | None) -> str | None:
    """Words for a schema newer than this Poser's migrations know; None when known."""
    if revision is None:
        return None
    try:
        ScriptDirectory.from_config(alembic_config({})).get_revision(revision)
        return None
    except CommandError:
        pass
    return (
        f"the backup's database is at schema revision {revision}, which this Poser does not "
        "know: run the restored site with the Poser that took the backup or a newer one"
    )


def _extract(tar: tarfile.TarFile, info: tarfile.TarInfo, path: Path, sha256: str) -> None:
    make_private_folder(path.parent)
    source = tar.extractfile(info)
    if source is None:
        raise BackupError(f"{info.name}: only plain files belong in a backup")
    digest = hashlib.sha256()
    with path.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    path.chmod(FILE_MODE)
    if digest.hexdigest() != sha256:
        raise BackupError(f"{info.name} changed while it was restored: the archive is damaged")


def _sqlite_counts(database: Path) -> dict[str, int]:
    connection = sqlite3.connect(database)
    try:
        present = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for name in model_tables()
            if name in present
        }
    finally:
        connection.close()


def _pg_counts(database_url: str) -> dict[str, int]:
    engine = get_engine({"sqlalchemy.url": database_url})
    try:
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            return {
                name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()  # noqa: S608
                for name in model_tables()
                if name in present
            }
    finally:
        engine.dispose()


def _check_empty_database(database_url: str, force: bool) -> None:
    engine = get_engine({"sqlalchemy.url": database_url})
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
    except Exception as exc:  # any driver error: the operator's URL does not reach a database
        raise BackupError(f"cannot reach the database to restore into: {exc}") from exc
    finally:
        engine.dispose()
    if tables and not force:
        raise BackupError(
            "the database to restore into holds tables already: give an empty one, "
            "or --force to replace them"
        )


def _check_counts(manifest: dict[str, Any], counts: dict[str, int]) -> None:
    expected = manifest.get("row_counts", {})
    wrong = sorted(name for name, count in expected.items() if counts.get(name) != count)
    if wrong:
        name = wrong[0]
        raise BackupError(
            f"the restored database does not hold the backup's rows: {name} has "
            f"{counts.get(name)} rows, the backup {expected[name]}"
        )
