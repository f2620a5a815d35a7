"""download_response: stored files sent as streamed attachments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import FileIter, Response
from pyramid.testing import DummyRequest

from poser.apps.site.downloads import BLOCK_SIZE, content_disposition, download_response
from poser.storage import MemoryFileStore, memory_store


@pytest.fixture
def store() -> Iterator[MemoryFileStore]:
    store = memory_store()
    yield store
    for key in store.list():
        store.remove(key)


def body(response: Response) -> bytes:
    try:
        return b"".join(response.app_iter)
    finally:
        response.app_iter.close()


def test_streams_the_file_in_chunks(store: MemoryFileStore) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB: several chunks
    store.write("exports/price/1/report.csv", data)
    response = download_response(DummyRequest(), store, "exports/price/1/report.csv", "report.csv")
    assert response.status_code == 200
    assert isinstance(response.app_iter, FileIter)
    chunks = list(response.app_iter)
    response.app_iter.close()
    assert len(chunks) == len(data) // BLOCK_SIZE
    assert b"".join(chunks) == data
    assert response.content_length == len(data)
    # The bytes go out as stored: no charset is claimed for them.
    assert response.headers["Content-Type"] == "text/csv"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"report.csv\"; filename*=UTF-8''report.csv"
    )


def test_unicode_filename_has_an_ascii_fallback_and_rfc5987_name(store: MemoryFileStore) -> None:
    store.write("k", b"x")
    response = download_response(DummyRequest(), store, "k", "Prix été 東京 2024.xlsx")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="Prix ete __ 2024.xlsx"; '
        "filename*=UTF-8''Prix%20%C3%A9t%C3%A9%20%E6%9D%B1%E4%BA%AC%202024.xlsx"
    )
    assert response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert body(response) == b"x"


@pytest.mark.parametrize(
    ("filename", "ascii_name", "encoded"),
    [
        (
            'evil"\r\nSet-Cookie: a=b.txt',
            "evilSet-Cookie: a=b.txt",
            "evilSet-Cookie%3A%20a%3Db.txt",
        ),
        ("../../etc/passwd", "passwd", "passwd"),
        ("C:\\Users\\me\\report.csv", "report.csv", "report.csv"),
        ("a\x00b\tc\u202e.csv", "abc.csv", "abc.csv"),
        ('""\r\n', "download", "download"),
        ("  spaced  ", "spaced", "spaced"),
        ("100% real.csv", "100_ real.csv", "100%25%20real.csv"),
    ],
)
def test_filenames_are_made_safe(filename: str, ascii_name: str, encoded: str) -> None:
    header = content_disposition(filename)
    assert header == f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"
    assert "\r" not in header
    assert "\n" not in header


@pytest.mark.parametrize(
    ("filename", "content_type", "expected"),
    [
        ("data.bin", None, "application/octet-stream"),
        ("no-extension", None, "application/octet-stream"),
        ("report.csv.gz", None, "application/octet-stream"),
        ("report.json", None, "application/json"),
        ("report.csv", "text/csv; charset=utf-8", "text/csv; charset=utf-8"),
    ],
)
def test_content_type(
    store: MemoryFileStore, filename: str, content_type: str | None, expected: str
) -> None:
    store.write("k", b"{}")
    response = download_response(DummyRequest(), store, "k", filename, content_type)
    assert response.headers["Content-Type"] == expected
    assert body(response) == b"{}"


def test_head_sends_headers_without_reading_the_file(store: MemoryFileStore) -> None:
    store.write("k", b"12345")
    response = download_response(DummyRequest(method="HEAD"), store, "k", "k.txt")
    assert response.content_length == 5
    assert list(response.app_iter) == []


def test_empty_file(store: MemoryFileStore) -> None:
    store.write("empty.csv", b"")
    response = download_response(DummyRequest(), store, "empty.csv", "empty.csv")
    assert response.content_length == 0
    assert body(response) == b""


@pytest.mark.parametrize("key", ["missing.csv", "exports", "../outside", ""])
def test_missing_or_impossible_key_is_not_found(store: MemoryFileStore, key: str) -> None:
    store.write("exports/1.csv", b"x")
    with pytest.raises(HTTPNotFound):
        download_response(DummyRequest(), store, key, "x.csv")
