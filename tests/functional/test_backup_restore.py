"""A backup taken while the site is being written to restores into an empty app dir
that serves the same data: the same people log in to the same data sets, products
and files."""

from __future__ import annotations

from pathlib import Path

from poser.models.engine import get_engine, get_session_factory
from poser.tasks.backups import BackupSources, restore_backup, take_backup
from poser.tasks.datasets import create_data_set
from poser.tasks.generate import generate_products
from tests.backup_support import GROUP, Writer, sqlite_site
from tests.conftest import TEST_SECRET
from tests.factories import make_user
from tests.functional.conftest import StrictTestApp, build_app, dispose, login


def test_a_backup_taken_while_writing_restores_into_a_working_site(tmp_path: Path) -> None:
    settings = sqlite_site(tmp_path / "live")
    engine = get_engine(settings)
    with get_session_factory(engine)() as dbsession:
        owner = make_user(dbsession, "petra")
        data_set = create_data_set(dbsession, "Corner Shop", "products", owner)
        generate_products(data_set, products=120, seed=7)
        dbsession.commit()
        data_set_id = data_set.id
    engine.dispose()
    templates = Path(settings["poser.appdir"]) / "data" / "templates"
    (templates / "shelf-label.txt").write_text("{{ description }}\n")

    writer = Writer(settings)
    writer.start()
    try:
        writer.wait_for(3)
        manifest = take_backup(BackupSources.from_settings(settings), tmp_path / "b.tar.gz")
        writer.wait_for(3)
    finally:
        writer.finish()
    assert manifest["row_counts"]["login_failure"] % GROUP == 0

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
    assert manifest["row_counts"]["product"] == 120
    assert set(manifest["row_counts"]) >= {"user_account", "data_set", "product", "job"}
    assert restored.manifest == manifest
    assert any(name.startswith("data/uploads/w") for name in manifest["members"])
