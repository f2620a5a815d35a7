"""presigned_url: a short-lived link to a file on S3 that the browser fetches itself."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from poser.storage import FsspecFileStore


def test_an_s3_file_is_fetched_through_its_link_with_its_name_and_type(
    s3_session_store: FsspecFileStore,
) -> None:
    store = s3_session_store
    store.write("exports/catalog/1/changes é.csv", b"upc,cost\n1,2\n")
    try:
        url = store.presigned_url(
            "exports/catalog/1/changes é.csv",
            60,
            content_disposition='attachment; filename="changes.csv"',
            content_type="text/csv",
        )
        assert url is not None
        query = parse_qs(urlsplit(url).query)
        assert query["X-Amz-Expires"] == ["60"]
        fetched = requests.get(url, timeout=10)
        assert fetched.status_code == 200
        assert fetched.content == b"upc,cost\n1,2\n"
        assert fetched.headers["Content-Disposition"] == 'attachment; filename="changes.csv"'
        assert fetched.headers["Content-Type"] == "text/csv"
        # Only the link signed: another key with the same signature is refused.
        forged = url.replace("changes%20%C3%A9.csv", "other.csv")
        assert forged != url
        assert requests.get(forged, timeout=10).status_code == 403
    finally:
        store.remove("exports/catalog/1/changes é.csv")


@pytest.mark.parametrize("backend", ["local", "memory"])
def test_local_and_memory_files_have_no_link(store: FsspecFileStore, backend: str) -> None:
    store.write("k", b"x")
    assert (
        store.presigned_url("k", 60, content_disposition="attachment", content_type="x/y") is None
    )
