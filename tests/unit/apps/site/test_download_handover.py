"""download_response hands the transfer to nginx (X-Accel-Redirect) or to S3 (a
presigned URL) when the settings say so, and streams it itself otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pyramid import testing
from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.response import FileIter

from poser.apps.site.downloads import download_response
from poser.storage import FsspecFileStore, local_store, memory_store
from tests.unit.storage.conftest import aws_environ, s3_server, s3_session_store

__all__ = ["aws_environ", "s3_server", "s3_session_store"]  # fixtures of S3 on moto

ACCEL = {"poser.downloads.accel_redirect": "/_poser_files/"}
PRESIGN = {"poser.downloads.presign_seconds": "60"}


@pytest.fixture
def configured(request: pytest.FixtureRequest) -> Iterator[None]:
    with testing.testConfig(settings=request.param):
        yield


@pytest.mark.parametrize("configured", [{**ACCEL, **PRESIGN}], indirect=True)
def test_nginx_sends_a_local_file_named_by_x_accel_redirect(
    configured: None, tmp_path: Path
) -> None:
    store = local_store(tmp_path)
    store.write("exports/catalog/7/changes 50% off?.csv", b"upc,cost\n")
    response = download_response(
        testing.DummyRequest(), store, "exports/catalog/7/changes 50% off?.csv", "changes.csv"
    )
    assert response.status_code == 200
    assert response.headers["X-Accel-Redirect"] == (
        "/_poser_files/exports/catalog/7/changes%2050%25%20off%3F.csv"
    )
    assert response.body == b""
    assert response.headers["Content-Type"] == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="changes.csv"')


@pytest.mark.parametrize("configured", [ACCEL], indirect=True)
@pytest.mark.parametrize("key", ["exports/missing.csv", "../outside.csv", "/etc/passwd"])
def test_nothing_is_handed_over_for_a_key_without_a_file(
    configured: None, tmp_path: Path, key: str
) -> None:
    with pytest.raises(HTTPNotFound):
        download_response(testing.DummyRequest(), local_store(tmp_path), key, "x.csv")


@pytest.mark.parametrize("configured", [{**ACCEL, **PRESIGN}], indirect=True)
def test_a_store_that_nginx_and_s3_cannot_send_is_streamed(configured: None) -> None:
    store = memory_store()
    store.write("k.csv", b"streamed")
    response = download_response(testing.DummyRequest(), store, "k.csv", "k.csv")
    assert "X-Accel-Redirect" not in response.headers
    assert isinstance(response.app_iter, FileIter)
    assert b"".join(response.app_iter) == b"streamed"
    response.app_iter.close()
    store.remove("k.csv")


@pytest.mark.parametrize("configured", [{}, PRESIGN], indirect=True)
def test_without_the_settings_a_local_file_is_streamed(configured: None, tmp_path: Path) -> None:
    store = local_store(tmp_path)
    store.write("k.csv", b"streamed")
    response = download_response(testing.DummyRequest(), store, "k.csv", "k.csv")
    assert "X-Accel-Redirect" not in response.headers
    assert b"".join(response.app_iter) == b"streamed"
    response.app_iter.close()


@pytest.mark.parametrize("configured", [{**ACCEL, **PRESIGN}], indirect=True)
def test_an_s3_file_is_a_redirect_to_a_link_that_expires(
    configured: None, s3_session_store: FsspecFileStore
) -> None:
    store = s3_session_store
    store.write("exports/catalog/8/report.xlsx", b"PK workbook")
    try:
        response = download_response(
            testing.DummyRequest(), store, "exports/catalog/8/report.xlsx", "Report é.xlsx"
        )
        assert isinstance(response, HTTPFound)
        assert response.headers["Cache-Control"] == "no-store"
        assert "X-Amz-Expires=60" in response.location
        fetched = requests.get(response.location, timeout=10)
        assert fetched.content == b"PK workbook"
        assert fetched.headers["Content-Disposition"] == (
            "attachment; filename=\"Report e.xlsx\"; filename*=UTF-8''Report%20%C3%A9.xlsx"
        )
        assert fetched.headers["Content-Type"].startswith("application/vnd.openxmlformats")
        for missing in ("exports/catalog/8/gone.xlsx", "../exports/catalog/8/report.xlsx"):
            with pytest.raises(HTTPNotFound):
                download_response(testing.DummyRequest(), store, missing, "x")
    finally:
        store.remove("exports/catalog/8/report.xlsx")


@pytest.mark.parametrize("configured", [{}], indirect=True)
def test_without_presigning_an_s3_file_is_streamed(
    configured: None, s3_session_store: FsspecFileStore
) -> None:
    store = s3_session_store
    store.write("k.csv", b"through waitress")
    try:
        response = download_response(testing.DummyRequest(), store, "k.csv", "k.csv")
        assert b"".join(response.app_iter) == b"through waitress"
        response.app_iter.close()
    finally:
        store.remove("k.csv")
