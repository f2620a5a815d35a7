"""Nothing in the app dir is open to the world: the database, the queue, sessions,
uploads, batches and exports, made by the `poser` command, the web app and a worker,
each started under a umask that would leave them world-readable."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import poser
from poser.entry_points.main import cli
from poser.models.engine import get_engine, get_session_factory
from poser.models.orm import DataSet, Job
from poser.utils.settings import load_settings
from tests.catalog_support import HEADER, UPC_NEW
from tests.factories import PASSWORD
from tests.functional.conftest import StrictTestApp, login
from tests.worker_support import running_workers, unique_queue_name, wait_for, write_ini

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("clean_environ")]


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual default umask, which leaves new files readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _poser(ini: Path, *args: str, stdin: str | None = None) -> str:
    os.umask(0o022)  # each command starts as a fresh process would
    result = CliRunner().invoke(cli, ["-c", str(ini), *args], input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def _open_to_the_world(appdir: Path) -> list[str]:
    return [
        f"{path.relative_to(appdir)} {oct(stat.S_IMODE(path.lstat().st_mode))}"
        for path in [appdir, *appdir.rglob("*")]
        if stat.S_IMODE(path.lstat().st_mode) & 0o007
    ]


def test_nothing_the_app_makes_is_open_to_the_world(tmp_path: Path, open_umask: None) -> None:
    appdir = tmp_path / "app"
    ini = write_ini(
        tmp_path,
        {
            "poser.environment": "development",
            "poser.appdir": appdir,
            "sqlalchemy.url": f"sqlite:///{appdir / 'data' / 'poser.sqlite'}",
            "session.type": "file",
            "poser.queue.name": unique_queue_name(),
            "poser.queue.periodic": "false",
        },
    )
    # The database, a user and a small data set; then a vendor catalog read into a batch
    # from its upload, applied, and its change report exported.
    _poser(ini, "make-appdir")
    _poser(ini, "db", "upgrade")
    _poser(ini, "user", "create", "olga", stdin=f"{PASSWORD}\n")
    _poser(ini, "data-set", "generate", "Shop", "--products", "30", "--owner", "olga")
    catalog = tmp_path / "glnf.csv"
    catalog.write_text(f"{HEADER}{UPC_NEW},G-1,New thing,Brand,1 ea,2,5.00\n", encoding="utf-8")
    applied = _poser(
        ini, "catalog", "import", str(catalog), "--data-set", "Shop", "--vendor", "GLNF",
        "--new-items", "add", "--execute", "--user", "olga",
    )  # fmt: skip
    assert re.search(r"New items added +1\n", applied), applied

    # The web app (a session file) and a worker (a workbook export, the queue).
    os.umask(0o022)
    settings = load_settings(str(ini))
    app = poser.main({"here": str(tmp_path)}, **settings)
    engine = get_engine(settings)
    try:
        with get_session_factory(engine)() as session:
            store_id = session.scalars(select(DataSet.id).where(DataSet.name == "Shop")).one()
        testapp = StrictTestApp(app)
        login(testapp, "olga")
        page = testapp.get(f"/apps/products/data-sets/{store_id}/settings")
        form = next(f for f in page.forms.values() if (f.action or "").endswith("/export"))
        job_id = int(form.submit(status=303).location.rsplit("/", 1)[-1])
        with running_workers(ini, tmp_path):
            os.umask(0o022)

            def finished() -> str | None:
                with get_session_factory(engine)() as session:
                    status = session.get_one(Job, job_id).status
                return status if status in ("succeeded", "failed") else None

            assert wait_for(finished, timeout=60, what="the export job") == "succeeded"
        assert testapp.get(f"/jobs/{job_id}/download").body.startswith(b"PK")
    finally:
        app.registry["poser.engine"].dispose()
        engine.dispose()

    # The catalog's upload was written under uploads/, then moved into its batch.
    made = {path.relative_to(appdir).parts[:2] for path in appdir.rglob("*") if path.is_file()}
    for where in [("data", "poser.sqlite"), ("data", "queue.sqlite"), ("data", "batches"),
                  ("data", "exports"), ("sessions", "data")]:  # fmt: skip
        assert where in made, where
    assert _open_to_the_world(appdir) == []
