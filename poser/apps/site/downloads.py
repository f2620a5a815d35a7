"""Send a stored file to the browser as a download, streamed in chunks."""

from __future__ import annotations

import mimetypes
import unicodedata
from collections.abc import Iterable
from typing import BinaryIO
from urllib.parse import quote

from pyramid.httpexceptions import HTTPNotFound
from pyramid.request import Request
from pyramid.response import FileIter, Response

from poser.storage.interface import FileStore
from poser.storage.keys import InvalidKey

#: Bytes per chunk sent to the WSGI server: a large export never sits in memory whole.
BLOCK_SIZE = 256 * 1024
DEFAULT_CONTENT_TYPE = "application/octet-stream"
FALLBACK_FILENAME = "download"


def download_response(
    request: Request,
    store: FileStore,
    key: str,
    filename: str,
    content_type: str | None = None,
) -> Response:
    """A response that streams the file at ``key`` as an attachment named ``filename``.

    Raises HTTPNotFound if there is no file at ``key`` (or ``key`` is not a valid key:
    such a file cannot exist). ``content_type`` defaults to a guess from ``filename``.
    """
    try:
        stream = store.open(key)
    except (FileNotFoundError, InvalidKey) as error:
        raise HTTPNotFound() from error
    try:
        # The length of the stream we send, not a second look at the store: a file
        # replaced in between would otherwise get the other version's Content-Length.
        length = _length(stream, store, key)
    except BaseException:
        stream.close()
        raise
    if request.method == "HEAD":
        stream.close()
        app_iter: Iterable[bytes] = []
    else:
        app_iter = FileIter(stream, block_size=BLOCK_SIZE)
    name = clean_filename(filename)
    response = Response(
        app_iter=app_iter,
        content_type=content_type or guess_content_type(name),
        # No charset is added: the bytes are sent as stored, in whatever encoding.
        charset=None,
    )
    # After app_iter: webob clears Content-Length when an app_iter is assigned.
    response.content_length = length
    response.headers["Content-Disposition"] = content_disposition(name)
    return response


def clean_filename(filename: str) -> str:
    """``filename`` without folders, quotes, control characters or surrounding spaces."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        char for char in name if char != '"' and not unicodedata.category(char).startswith("C")
    )
    return name.strip() or FALLBACK_FILENAME


def guess_content_type(filename: str) -> str:
    content_type, encoding = mimetypes.guess_type(filename, strict=False)
    # "x.csv.gz" guesses text/csv with gzip encoding: the bytes are gzip, not CSV.
    if content_type is None or encoding is not None:
        return DEFAULT_CONTENT_TYPE
    return content_type


def content_disposition(filename: str) -> str:
    """An attachment header with an ASCII ``filename`` for old clients and the exact
    name as RFC 5987 ``filename*``, which current browsers prefer."""
    name = clean_filename(filename)
    return (
        f"attachment; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
    )


def _ascii_fallback(name: str) -> str:
    chars = []
    for char in unicodedata.normalize("NFKD", name):
        if unicodedata.combining(char):
            continue  # the accent of an "é" decomposed to "e" + accent
        # Backslash and % are decoded by some clients inside a quoted filename.
        chars.append(char if " " <= char <= "~" and char not in '"\\%' else "_")
    return "".join(chars) or FALLBACK_FILENAME


def _length(stream: BinaryIO, store: FileStore, key: str) -> int:
    if stream.seekable():
        length = stream.seek(0, 2)
        stream.seek(0)
        return length
    return store.size(key)
