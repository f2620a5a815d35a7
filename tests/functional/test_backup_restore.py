"""A backup taken while a job and a writer write to the site restores into an empty app dir
that serves the same data: the same people log in to the same data sets, products
and files."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from poser.models.engine import get_engine, get_session_factory
from poser.models.orm import Job, Product
from poser.tasks import jobs
from poser.tasks.backups import BackupSources, restore_backup, take_backup
from poser.tasks.datasets import create_data_set
from poser.tasks.generate import generate_products
from tests.backup_support import GROUP, Writer, sqlite_site
from tests.conftest import TEST_SECRET
from tests.factories import make_user
from tests.functional.conftest import StrictTestApp, build_app, dispose, login
from tests.jobs_support import RecordingQueue

GENERATED = 20_000  # products the job writes, in one transaction, while the backup runs


def test_a_backup_taken_while_writing_restores_into_a_working_site(tmp_path: Path) -> None:
    settings = sqlite_site(tmp_path / "live")
    engine = get_engine(settings)
    session_factory = get_session_factory(engine)
    queue = RecordingQueue()
    with session_factory() as dbsession:
        owner = make_user(dbsession, "petra")
        data_set = create_data_set(dbsession, "Corner Shop", "products", owner)
        generate_products(data_set, products=120, seed=7)
        target = create_data_set(dbsession, "Warehouse", "products", owner)
        dbsession.commit()
        data_set_id, target_id = data_set.id, target.id
        job = jobs.submit(
            dbsession, queue, generate_products, data_set=target, user=owner,
            parameters={"products": GENERATED},
        )  # fmt: skip
        dbsession.commit()
        job_id = job.id
    # A job writing: the worker's runner, in a thread, while the backup is taken.
    running = threading.Thread(
        target=jobs.run, args=(session_factory, queue, job_id), kwargs={"worker": "test"}
    )
    templates = Path(settings["poser.appdir"]) / "data" / "templates"
    (templates / "shelf-label.txt").write_text("{{ description }}\n")

    writer = Writer(settings)
    writer.start()
    running.start()
    try:
        writer.wait_for(3)
        _wait_until_running(session_factory, job_id)
        manifest = take_backup(BackupSources.from_settings(settings), tmp_path / "b.tar.gz")
        writer.wait_for(3)
    finally:
        writer.finish()
        running.join(120)
    assert manifest["row_counts"]["login_failure"] % GROUP == 0
    with session_factory() as dbsession:
        assert dbsession.get_one(Job, job_id).status == "succeeded"
    engine.dispose()
    # The job's products are in the copy all or not at all: one transaction.
    assert manifest["row_counts"]["product"] in (120, 120 + GENERATED)

    restored = restore_backup(tmp_path / "b.tar.gz", tmp_path / "restored")
    app = build_app(
        {
            "poser.environment": "development",
            "poser.appdir": str(restored.appdir),
            "session.secret": TEST_SECRET,
            "poser.show_tracebacks": "false",
        }
    )
    try:
        client = StrictTestApp(app, extra_environ={"REMOTE_ADDR": "203.0.113.8"})
        assert login(client, "petra").status_int == 303
        home = client.get("/apps/products")
        assert "Corner Shop" in home.text
        page = client.get(f"/apps/products/data-sets/{data_set_id}/steps/catalog")
        assert "of 120" in page.pyquery("[data-testid=grid-summary]").text()
    finally:
        dispose(app)
    copy = restored.appdir / "data" / "templates" / "shelf-label.txt"
    assert copy.read_text() == "{{ description }}\n"
    restored_engine = get_engine(
        {"sqlalchemy.url": f"sqlite:///{restored.appdir / 'data' / 'poser.sqlite'}"}
    )
    with get_session_factory(restored_engine)() as copy:
        generated = copy.scalar(
            select(func.count()).select_from(Product).where(Product.data_set_id == target_id)
        )
        copied_job = copy.scalar(select(Job.status).where(Job.id == job_id))
    restored_engine.dispose()
    # The job's products and its "succeeded" mark commit together: the copy has both or
    # neither (a copy taken while it ran has it running, and the restored site's
    # worker settles it as any job a dead worker left).
    assert (copied_job, generated) in (("running", 0), ("succeeded", GENERATED))
    assert manifest["row_counts"]["product"] == 120 + generated
    assert set(manifest["row_counts"]) >= {"user_account", "data_set", "product", "job"}
    assert restored.manifest == manifest
    assert any(name.startswith("data/uploads/w") for name in manifest["members"])


def _wait_until_running(session_factory: Any, job_id: int) -> None:
    deadline = time.monotonic() + 60
    while True:
        with session_factory() as session:
            if session.scalar(select(Job.status).where(Job.id == job_id)) != "queued":
                return
        assert time.monotonic() < deadline, "the job did not start"
        time.sleep(0.05)
