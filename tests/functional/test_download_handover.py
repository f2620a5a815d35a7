"""Downloads through the whole app, as production serves them: the permission is
checked by Poser, then nginx (X-Accel-Redirect) or S3 (a presigned URL) sends the file.
Development streams them (tests/functional/test_exports.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy.orm import Session

from poser.models.orm import Export
from poser.storage import FileStore, store_from_settings
from poser.tasks.exports import ExportColumn, write_export
from tests.factories import make_data_set, make_user
from tests.functional.conftest import CLIENT_ADDR, StrictTestApp, login
from tests.unit.storage.conftest import aws_environ, s3_server, s3_session_store
from tests.unit.storage.s3_server import S3Server, s3_settings

__all__ = ["aws_environ", "s3_server", "s3_session_store"]  # fixtures of S3 on moto

ACCEL = {"poser.downloads.accel_redirect": "/_poser_files/"}


def north_export(dbsession: Session, files: FileStore) -> Export:
    """North (owned by owner) and its change report; outsider owns South."""
    owner = make_user(dbsession, "owner")
    outsider = make_user(dbsession, "outsider")
    north = make_data_set(dbsession, "North", members={owner: "owner"})
    make_data_set(dbsession, "South", members={outsider: "owner"})
    export = write_export(
        north,
        files,
        export_type="catalog",
        title="North catalog changes",
        basename="changes",
        columns=[ExportColumn("upc", "UPC")],
        rows=lambda: [["000123"]],
        user_id=owner.id,
    )
    dbsession.commit()
    return export


def client(app: Any, username: str) -> StrictTestApp:
    browser = StrictTestApp(app, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})
    assert login(browser, username).status_int == 303
    return browser


@pytest.fixture
def local_files(settings: dict[str, Any]) -> Iterator[FileStore]:
    store = store_from_settings(settings)
    yield store
    store.remove_tree("exports")


def test_nginx_sends_an_export_once_poser_has_checked_the_member(
    make_app: Any, dbsession: Session, local_files: FileStore, clean_environ: None
) -> None:
    export = north_export(dbsession, local_files)
    app = make_app(**ACCEL)
    url = f"/exports/{export.id}/files/changes.csv"
    response = client(app, "owner").get(url)
    assert response.headers["X-Accel-Redirect"] == f"/_poser_files/{export.folder}/changes.csv"
    assert response.body == b""
    assert response.headers["Content-Type"] == "text/csv"
    assert 'filename="changes.csv"' in response.headers["Content-Disposition"]
    assert client(app, "owner").head(url).headers["X-Accel-Redirect"]
    refused = client(app, "outsider").get(url, status=404)
    assert "X-Accel-Redirect" not in refused.headers
    anonymous = StrictTestApp(app).get(url, status=303)
    assert "X-Accel-Redirect" not in anonymous.headers


def test_s3_sends_an_export_through_a_short_lived_link(
    make_app: Any,
    dbsession: Session,
    s3_server: S3Server,
    aws_environ: None,
    clean_environ: None,
) -> None:
    files_settings = s3_settings(s3_server, "functional-handover")
    files = store_from_settings(files_settings)
    export = north_export(dbsession, files)
    try:
        app = make_app(**files_settings, **ACCEL, **{"poser.downloads.presign_seconds": "30"})
        url = f"/exports/{export.id}/files/changes.csv"
        response = client(app, "owner").get(url, status=302)
        assert response.location.startswith(s3_server.endpoint_url)
        assert "X-Amz-Expires=30" in response.location
        fetched = requests.get(response.location, timeout=10)
        assert fetched.status_code == 200
        assert fetched.content.decode("utf-8-sig").splitlines() == ["UPC", "000123"]
        assert 'filename="changes.csv"' in fetched.headers["Content-Disposition"]
        client(app, "outsider").get(url, status=404)
    finally:
        files.remove_tree("exports")
