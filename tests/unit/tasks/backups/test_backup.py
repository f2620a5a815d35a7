"""Backups: consistent while a writer writes, restored row for row and file for file;
a damaged archive and a non-empty app dir are refused with a clear message."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
from pathlib import Path
from typing import Any

import pytest

from poser.tasks.backups import (
    BackupError,
    BackupSources,
    read_manifest,
    restore_backup,
    take_backup,
    verify_archive,
)
from poser.tasks.backups.archive import safe_member_name
from tests.backup_support import GROUP, Writer, sqlite_site


@pytest.fixture
def site(tmp_path: Path) -> dict[str, Any]:
    settings = sqlite_site(tmp_path)
    data = Path(settings["poser.appdir"]) / "data"
    (data / "templates" / "labels.txt").write_text("a template\n")
    (data / "batches" / "catalog" / "3").mkdir(parents=True)
    (data / "batches" / "catalog" / "3" / "catalog.csv").write_bytes(b"upc,cost\n1,2\n")
    return settings


def _rows(database: Path, table: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(database)
    try:
        return connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()  # noqa: S608
    finally:
        connection.close()


def test_a_backup_taken_while_a_writer_writes_holds_whole_transactions(
    site: dict[str, Any], tmp_path: Path
) -> None:
    writer = Writer(site)
    writer.start()
    try:
        writer.wait_for(5)
        manifest = take_backup(BackupSources.from_settings(site), tmp_path / "b.tar.gz")
        writer.wait_for(5)  # it was never stopped by the backup
    finally:
        writer.finish()

    backed_up = manifest["row_counts"]["login_failure"]
    assert backed_up >= 5 * GROUP
    assert backed_up % GROUP == 0  # no transaction half in the copy
    assert writer.transactions * GROUP > backed_up  # the writer went on meanwhile

    restored = restore_backup(tmp_path / "b.tar.gz", tmp_path / "restored")
    database = restored.appdir / "data" / "poser.sqlite"
    assert len(_rows(database, "login_failure")) == backed_up
    assert manifest["database"] == {"backend": "sqlite", "member": "database/poser.sqlite"}
    connection = sqlite3.connect(database)
    revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    connection.close()
    assert manifest["alembic_revision"] == revision


def test_restore_gives_the_same_rows_and_the_same_files(
    site: dict[str, Any], tmp_path: Path
) -> None:
    appdir = Path(site["poser.appdir"])
    writer = Writer(site)
    writer.start()
    writer.wait_for(3)
    writer.finish()
    take_backup(BackupSources.from_settings(site), tmp_path / "b.tar.gz")

    restored = restore_backup(tmp_path / "b.tar.gz", tmp_path / "copy")
    copy = restored.appdir
    for table in ("login_failure", "user_account"):
        assert _rows(copy / "data" / "poser.sqlite", table) == _rows(
            appdir / "data" / "poser.sqlite", table
        )

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in (root / "data").rglob("*")
            if p.is_file() and "sqlite" not in p.name
        }

    assert files(copy) == files(appdir)
    assert "data/batches/catalog/3/catalog.csv" in files(copy)
    assert restored.files == len(files(appdir))
    # An app dir: its folders are there, none of them open to others.
    assert (copy / "sessions" / "lock").is_dir()
    assert (copy / "data" / "poser.sqlite").stat().st_mode & 0o007 == 0


def test_the_manifest_says_what_the_archive_holds(site: dict[str, Any], tmp_path: Path) -> None:
    manifest = take_backup(BackupSources.from_settings(site), tmp_path / "b.tar.gz")
    assert read_manifest(tmp_path / "b.tar.gz") == manifest
    assert manifest["poser_version"]
    assert manifest["alembic_revision"] is not None
    assert manifest["row_counts"]["user_account"] == 0
    assert "data/templates/labels.txt" in manifest["members"]
    assert all(len(m["sha256"]) == 64 for m in manifest["members"].values())
    # The database's own files are in database/, never copied as files of data/.
    assert not any(name.startswith("data/poser.sqlite") for name in manifest["members"])
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        assert tar.getnames()[-1] == "manifest.json"


def test_an_existing_file_is_never_overwritten(site: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "b.tar.gz").write_text("keep me")
    with pytest.raises(BackupError, match="exists already"):
        take_backup(BackupSources.from_settings(site), tmp_path / "b.tar.gz")
    assert (tmp_path / "b.tar.gz").read_text() == "keep me"


def _rewrite(archive: Path, damaged: Path, change: dict[str, bytes]) -> None:
    """A copy of ``archive`` with some members' contents replaced (manifest kept)."""
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as out:
        for info in source:
            data = source.extractfile(info).read()  # type: ignore[union-attr]
            data = change.get(info.name, data)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def test_a_corrupted_archive_is_refused_and_restores_nothing(
    site: dict[str, Any], tmp_path: Path
) -> None:
    archive = tmp_path / "b.tar.gz"
    take_backup(BackupSources.from_settings(site), archive)

    damaged = tmp_path / "damaged.tar.gz"
    _rewrite(archive, damaged, {"data/templates/labels.txt": b"a templatf\n"})
    with pytest.raises(BackupError, match=r"damaged: data/templates/labels\.txt does not match"):
        restore_backup(damaged, tmp_path / "target")
    assert not (tmp_path / "target").exists()

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(BackupError, match=r"not a readable Poser backup|damaged"):
        verify_archive(truncated)

    manifest = read_manifest(archive)
    manifest["members"]["../../outside"] = {"size": 1, "sha256": "0" * 64}
    evil = tmp_path / "evil.tar.gz"
    _rewrite(archive, evil, {"manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(BackupError, match="outside the app dir"):
        verify_archive(evil)

    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hi")
    with pytest.raises(BackupError, match="not a readable Poser backup"):
        verify_archive(not_a_backup)


def test_a_non_empty_app_dir_is_refused_without_force(site: dict[str, Any], tmp_path: Path) -> None:
    archive = tmp_path / "b.tar.gz"
    take_backup(BackupSources.from_settings(site), archive)
    target = tmp_path / "busy"
    (target / "data" / "uploads").mkdir(parents=True)
    (target / "data" / "uploads" / "old.csv").write_text("old")
    (target / "log").mkdir()
    (target / "log" / "poser.log").write_text("kept")

    with pytest.raises(BackupError, match="is not empty: restore into an empty folder"):
        restore_backup(archive, target)
    assert (target / "data" / "uploads" / "old.csv").exists()

    restore_backup(archive, target, force=True)
    assert not (target / "data" / "uploads" / "old.csv").exists()  # data/ replaced whole
    assert (target / "data" / "templates" / "labels.txt").read_text() == "a template\n"
    assert (target / "log" / "poser.log").read_text() == "kept"


def test_member_names_stay_inside_the_app_dir() -> None:
    assert safe_member_name("data/uploads/a.csv")
    for name in ("", "/etc/passwd", "../x", "data/../../x", "data//x", "data\\x", "./x"):
        assert not safe_member_name(name), name


def test_the_queue_database_is_copied_and_restored_too(
    site: dict[str, Any], tmp_path: Path
) -> None:
    queue = Path(site["poser.appdir"]) / "data" / "queue.sqlite"
    connection = sqlite3.connect(queue)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE kv (key TEXT, value TEXT)")
    connection.execute("INSERT INTO kv VALUES ('workers:heartbeat', '{}')")
    connection.commit()
    try:  # open, with its WAL, as a worker keeps it
        manifest = take_backup(BackupSources.from_settings(site), tmp_path / "b.tar.gz")
    finally:
        connection.close()
    assert manifest["queue"] == {"member": "queue/queue.sqlite"}
    assert not any(
        "queue.sqlite" in name for name in manifest["members"] if name.startswith("data/")
    )
    restored = restore_backup(tmp_path / "b.tar.gz", tmp_path / "copy")
    copy = sqlite3.connect(restored.appdir / "data" / "queue.sqlite")
    try:
        assert copy.execute("SELECT key FROM kv").fetchall() == [("workers:heartbeat",)]
    finally:
        copy.close()

    on_redis = {**site, "poser.queue.url": "redis://127.0.0.1:6379/0"}
    manifest = take_backup(BackupSources.from_settings(on_redis), tmp_path / "redis.tar.gz")
    assert manifest["queue"] == {"member": None, "note": "the queue is on Redis"}


def test_a_member_the_manifest_does_not_name_or_one_missing_is_refused(
    site: dict[str, Any], tmp_path: Path
) -> None:
    archive = tmp_path / "b.tar.gz"
    take_backup(BackupSources.from_settings(site), archive)
    manifest = read_manifest(archive)

    extra = tmp_path / "extra.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(extra, "w:gz") as out:
        for info in source:
            out.addfile(info, source.extractfile(info))
        smuggled = tarfile.TarInfo("data/templates/smuggled.txt")
        smuggled.size = 2
        out.addfile(smuggled, io.BytesIO(b"hi"))
    with pytest.raises(BackupError, match=r"smuggled\.txt is not in the manifest"):
        verify_archive(extra)

    manifest["members"]["data/uploads/lost.csv"] = {"size": 1, "sha256": "0" * 64}
    missing = tmp_path / "missing.tar.gz"
    _rewrite(archive, missing, {"manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(BackupError, match=r"incomplete: data/uploads/lost\.csv is missing"):
        verify_archive(missing)


def test_a_schema_newer_than_this_poser_is_named_on_restore(
    site: dict[str, Any], tmp_path: Path
) -> None:
    archive = tmp_path / "b.tar.gz"
    take_backup(BackupSources.from_settings(site), archive)
    assert restore_backup(archive, tmp_path / "known").notes == []
    manifest = read_manifest(archive)
    manifest["alembic_revision"] = "9999"
    newer = tmp_path / "newer.tar.gz"
    _rewrite(archive, newer, {"manifest.json": json.dumps(manifest).encode()})
    (note,) = restore_backup(newer, tmp_path / "copy").notes
    assert note.startswith("the backup's database is at schema revision 9999")
