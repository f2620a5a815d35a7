"""Send a stored file to the browser as a download, once the view has checked who may.

By default waitress streams it in chunks, which holds one of its threads for as long as
the transfer takes. In production the transfer leaves the web process (production.ini):

- ``poser.downloads.accel_redirect`` (nginx's internal location for the local store's
  folder, e.g. ``/_poser_files/``): the answer is an empty response whose
  ``X-Accel-Redirect`` names the file under that location, and nginx sends the file,
  with the Content-Type and Content-Disposition Poser chose;
- ``poser.downloads.presign_seconds`` (above 0) with files on S3: a redirect to a
  presigned URL that lives that long, and the browser fetches the file from S3.

Either way nothing is sent for a key with no file (a 404), as when streaming.
"""

from __future__ import annotations

import mimetypes
import unicodedata
from collections.abc import Iterable
from typing import BinaryIO
from urllib.parse import quote

from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.request import Request
from pyramid.response import FileIter, Response

from poser.storage import LocalFileStore
from poser.storage.interface import FileStore
from poser.storage.keys import InvalidKey
from poser.utils.settings import SettingsError, setting_int

#: Bytes per chunk sent to the WSGI server: a large export never sits in memory whole.
BLOCK_SIZE = 256 * 1024
DEFAULT_CONTENT_TYPE = "application/octet-stream"
FALLBACK_FILENAME = "download"
ACCEL_REDIRECT = "poser.downloads.accel_redirect"
PRESIGN_SECONDS = "poser.downloads.presign_seconds"


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
    nginx or S3 send it instead when the settings say so (the module's docstring).
    """
    handed_over = _handed_over(request, store, key, filename, content_type)
    if handed_over is not None:
        return handed_over
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


def _handed_over(
    request: Request, store: FileStore, key: str, filename: str, content_type: str | None
) -> Response | None:
    """The response that has nginx or S3 send the file, or None: Poser streams it."""
    settings = request.registry.settings or {}
    location = str(settings.get(ACCEL_REDIRECT) or "").strip()
    seconds = setting_int(settings, PRESIGN_SECONDS, 0)
    presign = getattr(store, "presigned_url", None)
    name = clean_filename(filename)
    content_type = content_type or guess_content_type(name)
    if location and isinstance(store, LocalFileStore):
        if not location.startswith("/"):
            raise SettingsError(f"{ACCEL_REDIRECT} is a path of nginx's, starting with /")
        _require_file(store, key)
        response = Response(content_type=content_type, charset=None)
        # A valid key has no "." or ".." segment; quoting keeps "?", "#" and "%" in a
        # name from being read as a query, a fragment or an escape by nginx.
        response.headers["X-Accel-Redirect"] = location.rstrip("/") + "/" + quote(key, safe="/")
        response.headers["Content-Disposition"] = content_disposition(name)
        return response
    if seconds <= 0 or presign is None:
        return None
    try:
        # Signed here, without asking S3; None from a store that has no such links.
        url = presign(
            key, seconds, content_disposition=content_disposition(name), content_type=content_type
        )
    except InvalidKey as error:
        raise HTTPNotFound() from error
    if url is None:
        return None
    _require_file(store, key)
    # The link expires: neither the browser nor a proxy may keep the redirect.
    return HTTPFound(location=url, headers={"Cache-Control": "no-store"})


def _require_file(store: FileStore, key: str) -> None:
    """HTTPNotFound unless a file is at ``key``: nothing is handed over for none."""
    try:
        found = store.exists(key)
    except InvalidKey as error:
        raise HTTPNotFound() from error
    if not found:
        raise HTTPNotFound()


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
