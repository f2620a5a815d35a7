"""Uploads: a file as the operator sent it, checked and kept under uploads/.

The checks here are the cheap ones, done while the operator waits: the type by content,
the size, and for a workbook its zip structure (`check_zip` reads the central directory
and a few small parts, never a sheet). Reading sheets, columns and rows is a job's work.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import BinaryIO

from poser.models.orm import DataSet, Upload, User
from poser.storage.interface import FileStore
from poser.tasks.sessions import session_of
from poser.utils.settings import setting_int
from poser.utils.tabular import DEFAULT_LIMITS, Limits, TabularError, sniff_format
from poser.utils.tabular.sniff import OLE_MAGIC, binary_kind
from poser.utils.tabular.zipcheck import check_zip

CHUNK = 1024 * 1024
DEFAULT_MAX_BYTES = 50_000_000
SNIFF_BYTES = 64 * 1024
CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
NAMES = {"csv": "a CSV file", "xlsx": "an Excel (.xlsx) workbook"}


def uploads_folder(data_set_id: int) -> str:
    """Where a data set's uploads are stored, each in a folder of its own."""
    return f"uploads/{data_set_id}"


class UploadError(ValueError):
    """An upload that is refused; the message is for the operator."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def max_upload_bytes(settings: Mapping[str, object]) -> int:
    """The largest file an operator may upload (``poser.upload.max_bytes``)."""
    return setting_int(settings, "poser.upload.max_bytes", DEFAULT_MAX_BYTES)


def safe_filename(name: str) -> str:
    """The file's own name, without folders or characters that do not belong in a key."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" .")
    return (cleaned or "upload")[:120]


class _Counted:
    """Reads through to the stream, hashing and counting, and stops past the limit."""

    def __init__(self, head: bytes, stream: BinaryIO, limit: int) -> None:
        self.pending, self.stream, self.limit = head, stream, limit
        self.size = 0
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        if self.pending:
            chunk, self.pending = self.pending, b""
        else:
            chunk = self.stream.read(CHUNK if size is None or size < 0 else size)
        self.size += len(chunk)
        if self.size > self.limit:
            raise UploadError(
                f"The file is larger than the limit of {_megabytes(self.limit)}.", 413
            )
        self.sha256.update(chunk)
        return chunk


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB" if size >= 1_000_000 else f"{size:,} bytes"


def _refusal(head: bytes, found: str | None, allowed: tuple[str, ...]) -> str:
    """Why a file of this kind is not taken: what it is, when that is known, and the
    kinds that are."""
    wanted = " or ".join(NAMES.get(name, name) for name in allowed)
    what = NAMES.get(found) if found else binary_kind(head)
    if what is None:
        return f"This file is not {wanted} (its content was checked, not its name)."
    said = f"This file is {what}, not {wanted} (its content was checked, not its name)"
    if found == "xlsx" or head.startswith(OLE_MAGIC):  # a workbook: its program saves it
        return f"{said}: save it as {wanted} and upload that."
    return f"{said}."


def store_upload(
    data_set: DataSet,
    files: FileStore,
    stream: BinaryIO,
    filename: str,
    user: User | None,
    max_bytes: int,
    formats: Iterable[str] = ("csv", "xlsx"),
    limits: Limits = DEFAULT_LIMITS,
) -> Upload:
    """Check the type by content (not by name), stream to uploads/, record an Upload row.

    A workbook is refused here when its zip structure is unsafe to read within
    ``limits`` (those of the job that will read it); nothing is stored then.
    """
    start = _start(stream)
    head = stream.read(SNIFF_BYTES)
    if not head:
        raise UploadError("The file is empty.")
    found = sniff_format(head)
    allowed = tuple(formats)
    if found not in allowed:
        raise UploadError(_refusal(head, found, allowed))
    if start is not None:
        _check(stream, start, found, max_bytes, limits)
        stream.seek(start + len(head))
    name = safe_filename(filename)
    key = f"{uploads_folder(data_set.id)}/{uuid.uuid4().hex}/{name}"
    counted = _Counted(head, stream, max_bytes)
    files.write(key, counted)  # a write whose stream fails part-way leaves nothing
    upload = Upload(
        data_set_id=data_set.id,
        key=key,
        filename=name,
        size=counted.size,
        sha256=counted.sha256.hexdigest(),
        content_type=CONTENT_TYPES.get(found, "application/octet-stream"),
        uploaded_by_id=user.id if user else None,
    )
    session = session_of(data_set)
    session.add(upload)
    session.flush()
    return upload


def _start(stream: BinaryIO) -> int | None:
    """Where a seekable stream starts (None when it cannot seek: it is checked as it is
    copied, and a workbook's zip structure by the job that reads it)."""
    seekable = getattr(stream, "seekable", None)
    return stream.tell() if seekable is not None and seekable() else None


def _check(stream: BinaryIO, start: int, found: str | None, max_bytes: int, limits: Limits) -> None:
    """The size, and a workbook's zip structure, checked from a seekable stream before
    anything is stored; the stream is left anywhere."""
    size = stream.seek(0, 2) - start
    if size > max_bytes:
        raise UploadError(f"The file is larger than the limit of {_megabytes(max_bytes)}.", 413)
    if found == "xlsx":
        try:
            check_zip(stream, limits)
        except TabularError as error:
            raise UploadError(_sentence(error.message)) from None


def _sentence(message: str) -> str:
    return f"{message[:1].upper()}{message[1:]}."
