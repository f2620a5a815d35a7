"""Downloads of the local file store go out through nginx: Poser checks who asks and
answers an X-Accel-Redirect to docs/deploy/nginx-poser.conf's internal location, and
nginx sends the file from the app dir. One waitress process (production.ini) on the
embedded default (SQLite, files in the app dir) is enough to show it."""

from __future__ import annotations

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
from tests.deploy.client import through
from tests.deploy.deployment import UnavailableError, deployed
from tests.factories import PASSWORD, make_data_set, make_user

pytestmark = pytest.mark.deploy

CONTENT = [["000123", "Butter"], ["000456", "Milk"]]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[dict[str, Any]]:
    appdir = tmp_path / "app"
    make_appdir(appdir)
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
    try:
        with deployed(
            tmp_path, database_url=url, web_processes=1, worker=False, scheduler=False
        ) as running:
            try:
                key = stored.relative_to(appdir / "data").as_posix()
                yield {
                    "base": running.base,
                    "ca": running.ca,
                    "path": path,
                    "stored": stored,
                    "key": key,
                }
            finally:
                print(running.processes.logs())  # shown when the test fails
    except UnavailableError as missing:
        pytest.skip(str(missing))


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
