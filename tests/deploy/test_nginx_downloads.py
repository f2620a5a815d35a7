"""Downloads of the local file store go out through nginx: Poser checks who asks and
answers an X-Accel-Redirect to docs/deploy/nginx-poser.conf's internal location, and
nginx sends the file from the app dir. One waitress process (production.ini) on the
embedded default (SQLite, files in the app dir) is enough to show it."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from alembic import command

from poser.models.db_management import alembic_config
from poser.models.engine import get_engine, get_session_factory
from poser.storage import local_store
from poser.tasks.exports import ExportColumn, write_export
from poser.utils.appdir import make_appdir
from tests.deploy import stack as deploy
from tests.deploy.client import through
from tests.factories import PASSWORD, make_data_set, make_user

pytestmark = pytest.mark.deploy

CONTENT = [["000123", "Butter"], ["000456", "Milk"]]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[dict[str, Any]]:
    if deploy.nginx_binary() is None:
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    appdir = tmp_path / "app"
    make_appdir(appdir)
    shutil.copy(deploy.ROOT / "production.ini", tmp_path / "production.ini")
    url = f"sqlite:///{appdir / 'data' / 'poser.sqlite'}"
    command.upgrade(alembic_config({"sqlalchemy.url": url}), "head")
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with get_session_factory(engine)() as session:
            owner = make_user(session, "olga")
            make_user(session, "otto")
            north = make_data_set(session, "North", members={owner: "owner"})
            export = write_export(
                north,
                local_store(appdir / "data"),
                export_type="catalog",
                title="North catalog changes",
                basename="changes",
                columns=[ExportColumn("upc", "UPC"), ExportColumn("description", "Description")],
                rows=lambda: CONTENT,
                formats=("csv",),
                user_id=owner.id,
            )
            session.commit()
            path = f"/exports/{export.id}/files/changes.csv"
            stored = appdir / "data" / export.folder / "changes.csv"
    finally:
        engine.dispose()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("POSER_")},
        "POSER_APPDIR": str(appdir),
        "POSER_SESSION_SECRET": secrets.token_urlsafe(48),
    }
    processes = deploy.Stack(tmp_path, env)
    try:
        # The upstream's second process never starts: nginx skips it.
        web_ports = (deploy.free_port(), deploy.free_port())
        web = processes.start(
            "web", str(deploy.BIN / "pserve"), "production.ini", f"http_port={web_ports[0]}"
        )
        front = deploy.start_nginx(processes, web_ports, appdir / "data")
        web.wait_for_port(web_ports[0])
        front["process"].wait_for_port(front["https_port"])
        key = stored.relative_to(appdir / "data").as_posix()
        yield {**front, "path": path, "stored": stored, "key": key}
    finally:
        processes.stop()
        print(processes.logs())  # shown when the test fails


def log_in(site: dict[str, Any], username: str) -> Any:
    browser = through(site["base"], site["ca"])
    form = browser.get("/login").forms["deform"]
    form["username"] = username
    form["password"] = PASSWORD
    form.submit("submit", status=303)
    return browser


def test_nginx_sends_the_file_poser_allowed(site: dict[str, Any]) -> None:
    response = log_in(site, "olga").get(site["path"])
    assert response.body == site["stored"].read_bytes()
    assert response.body.decode("utf-8-sig").splitlines()[1:] == ["000123,Butter", "000456,Milk"]
    assert "X-Accel-Redirect" not in response.headers  # nginx acted on it
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="changes.csv"')
    assert response.headers["Cache-Control"] == "private, no-store"


def test_nginx_sends_nothing_poser_refused(site: dict[str, Any]) -> None:
    refused = log_in(site, "otto").get(site["path"], status=404)
    assert refused.body != site["stored"].read_bytes()
    anonymous = through(site["base"], site["ca"]).get(site["path"], status=303)
    assert "/login" in anonymous.location
    # Nor can anyone ask for the internal location itself.
    for asked in (f"/_poser_files/{site['key']}", "/_poser_files/"):
        direct = requests.get(site["base"] + asked, verify=site["ca"], timeout=10)
        assert direct.status_code == 404, asked
