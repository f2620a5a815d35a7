from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy.orm import Session

from poser.models.orm import Job
from poser.storage import memory_store
from poser.tasks.job_progress import progress_key
from poser.tasks.maintenance import purge_job_logs, purge_uploads, purge_work
from poser.utils.timeutil import utcnow
from tests.jobs_support import DictStore


def _age(path: Path, days: float) -> None:
    stamp = (utcnow() - timedelta(days=days)).timestamp()
    os.utime(path, (stamp, stamp))


def test_purge_work_removes_only_old_entries(tmp_path: Path, dbsession: Session) -> None:
    (tmp_path / ".keep").touch()
    (tmp_path / "old.tmp").write_text("x", encoding="utf-8")
    (tmp_path / "old-dir").mkdir()
    (tmp_path / "old-dir" / "inner").write_text("x", encoding="utf-8")
    (tmp_path / "fresh.tmp").write_text("x", encoding="utf-8")
    _age(tmp_path / ".keep", 30)
    _age(tmp_path / "old.tmp", 3)
    _age(tmp_path / "old-dir", 3)
    result = purge_work(dbsession, work_dir=tmp_path, older_than_days=2)
    assert result == {"removed": 2, "kept": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".keep", "fresh.tmp"]


def test_purge_uploads_removes_unclaimed_old_uploads(dbsession: Session) -> None:
    files = memory_store()
    files.write("uploads/old.csv", b"upc\n")
    files.write("uploads/new.csv", b"upc\n")
    files.write("batches/catalog/1/kept.csv", b"upc\n")
    later = utcnow() + timedelta(days=8)
    said: list[str] = []
    progress = SimpleNamespace(log=said.append, update=lambda *args: None)
    # Everything was written just now; seen from 8 days later, all uploads are old.
    assert purge_uploads(
        dbsession, files=files, older_than_days=7, now=later, progress=progress
    ) == {"removed": 2, "kept": 0}
    # The job's log names each file, not where the store keeps it.
    assert said == ["removed the upload new.csv", "removed the upload old.csv"]
    assert files.list() == ["batches/catalog/1/kept.csv"]
    files.write("uploads/today.csv", b"upc\n")
    assert purge_uploads(dbsession, files=files, older_than_days=7)["kept"] == 1


def test_purge_job_logs_forgets_long_finished_jobs(dbsession: Session) -> None:
    now = utcnow()
    old = Job(kind="k", status="succeeded", finished_at=now - timedelta(days=40))
    recent = Job(kind="k", status="failed", finished_at=now - timedelta(days=1))
    running = Job(kind="k", status="running")
    dbsession.add_all([old, recent, running])
    dbsession.commit()
    store = DictStore()
    for job in (old, recent, running):
        store.put(progress_key(job.id), b"{}")
    assert purge_job_logs(dbsession, progress_store=store, older_than_days=30) == {"purged": 1}
    assert store.get(progress_key(old.id)) is None
    assert store.get(progress_key(recent.id)) == b"{}"
    assert store.get(progress_key(running.id)) == b"{}"
