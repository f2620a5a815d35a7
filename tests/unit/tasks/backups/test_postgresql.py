"""Backups of a PostgreSQL database: pg_dump's custom format in the archive, loaded
by pg_restore into an empty database with the same rows; without pg_dump, a message
that says how to get it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select
from sqlalchemy.orm import Session

from poser.models.engine import get_engine, get_session_factory
from poser.models.orm import LoginFailure, User
from poser.tasks.backups import BackupError, BackupSources, restore_backup, take_backup
from poser.utils.appdir import make_appdir
from tests.database_support import scratch_database
from tests.factories import make_user


def test_without_pg_dump_the_backup_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    sources = BackupSources(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none", None)
    with pytest.raises(BackupError, match=r"pg_dump is not on PATH.*apt install postgresql-client"):
        take_backup(sources, tmp_path / "b.tar.gz")
    assert not (tmp_path / "b.tar.gz").exists()


def test_a_postgresql_backup_restores_into_an_empty_database(
    database_url: str, session_factory: object, dbsession: Session, tmp_path: Path
) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("runs on PostgreSQL: set POSER_TEST_DATABASE_URL")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not on PATH")
    make_user(dbsession, "tina")
    dbsession.add_all(LoginFailure(username="x", address=f"a{n}") for n in range(30))
    dbsession.commit()
    appdir = tmp_path / "app"
    make_appdir(appdir)
    (appdir / "data" / "uploads" / "a.csv").write_text("upc\n1\n")

    manifest = take_backup(BackupSources(appdir, database_url, None), tmp_path / "b.tar.gz")
    assert manifest["database"] == {"backend": "postgresql", "member": "database/poser.pgdump"}
    assert manifest["row_counts"]["login_failure"] == 30
    assert manifest["queue"]["member"] is None

    left = restore_backup(tmp_path / "b.tar.gz", tmp_path / "left")
    assert left.pg_restore_command
    assert "pg_restore" in left.pg_restore_command
    assert (tmp_path / "left" / "poser.pgdump").is_file()

    with scratch_database(database_url, tmp_path) as empty:
        restored = restore_backup(tmp_path / "b.tar.gz", tmp_path / "copy", database_url=empty)
        assert restored.database.startswith("postgresql")
        assert (tmp_path / "copy" / "data" / "uploads" / "a.csv").read_text() == "upc\n1\n"
        assert not (tmp_path / "copy" / "poser.pgdump").exists()
        engine = get_engine({"sqlalchemy.url": empty})
        try:
            with get_session_factory(engine)() as copy:
                assert copy.scalar(select(func.count()).select_from(LoginFailure)) == 30
                assert copy.scalars(select(User.username)).all() == ["tina"]
        finally:
            engine.dispose()
        with pytest.raises(BackupError, match="holds tables already"):
            restore_backup(tmp_path / "b.tar.gz", tmp_path / "again", database_url=empty)
