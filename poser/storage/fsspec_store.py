"""FileStore over any fsspec filesystem, rooted at one folder (or bucket prefix).

Only single-path fsspec calls are used (open, info, isfile, find, cp_file, rm_file):
the multi-path ones (rm, mv, copy) expand glob patterns, so a key such as
"report[1].csv" would name other files.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast

from fsspec import AbstractFileSystem
from fsspec.spec import AbstractBufferedFile

from poser.storage.interface import WriteData
from poser.storage.keys import TEMP_PREFIX, validate_key, validate_prefix

#: Bytes read from a source stream at a time: bounded memory for any upload size.
CHUNK_SIZE = 1024 * 1024


class FsspecFileStore:
    """A FileStore (see ``poser.storage.interface``) on ``fs`` below ``root``."""

    def __init__(self, fs: AbstractFileSystem, root: str) -> None:
        self._fs = fs
        # Without the trailing slash, so root + "/" + key is the path of key.
        self._root = root.rstrip("/") or "/"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._fs.protocol!r} {self._root!r}>"

    @property
    def fs(self) -> AbstractFileSystem:
        return self._fs

    @property
    def root(self) -> str:
        return self._root

    # -- writing --------------------------------------------------------------

    def write(self, key: str, data: WriteData) -> int:
        path = self._path(validate_key(key))
        if isinstance(data, str) or not (
            isinstance(data, bytes | bytearray | memoryview) or hasattr(data, "read")
        ):
            raise TypeError(f"write() takes bytes or a binary stream, not {type(data).__name__}")
        # Same folder as the target: on local disks the final rename is atomic only
        # within one filesystem, and a crash leaves the leftover next to its target.
        temp = f"{path.rsplit('/', 1)[0]}/{TEMP_PREFIX}{uuid.uuid4().hex}"
        out = self._create(temp)
        try:
            written = _copy(data, out)
        except BaseException:
            _abandon(out)
            self._remove_quietly(temp)
            raise
        try:
            self._finish(out)
            self._replace(temp, path)
        except BaseException:
            self._remove_quietly(temp)
            raise
        return written

    def move(self, src: str, dst: str) -> None:
        src_path = self._path(validate_key(src))
        dst_path = self._path(validate_key(dst))
        self._file_info(src_path)
        if src_path != dst_path:
            # Moving a file onto itself would copy it and then delete it.
            self._replace(src_path, dst_path)

    def remove(self, key: str) -> None:
        path = self._path(validate_key(key))
        self._file_info(path)
        self._fs.rm_file(path)

    def remove_tree(self, prefix: str) -> None:
        # No root: emptying a whole store is not something one call should do.
        folder = validate_prefix(prefix, allow_root=False)
        for path in self._find(folder):
            with contextlib.suppress(FileNotFoundError):
                self._fs.rm_file(path)

    # -- reading --------------------------------------------------------------

    def open(self, key: str) -> BinaryIO:
        path = self._path(validate_key(key))
        # A folder is not a file: the same error on every backend. Local disks raise
        # IsADirectoryError; s3fs opens a "directory" as an empty file.
        try:
            stream = self._fs.open(path, "rb")
        except IsADirectoryError as error:
            raise FileNotFoundError(f"no file at {key!r}") from error
        if getattr(stream, "details", {}).get("type", "file") != "file":
            stream.close()
            raise FileNotFoundError(f"no file at {key!r}")
        return cast(BinaryIO, stream)

    def read_bytes(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def exists(self, key: str) -> bool:
        return bool(self._fs.isfile(self._path(validate_key(key))))

    def list(self, prefix: str = "") -> list[str]:
        folder = validate_prefix(prefix, allow_root=True)
        start = len(self._root) + 1 if self._root != "/" else 1
        keys = (path[start:] for path in self._find(folder))
        return sorted(key for key in keys if not _is_temporary(key))

    def size(self, key: str) -> int:
        return int(self._file_info(self._path(validate_key(key)))["size"])

    def modified(self, key: str) -> datetime:
        path = self._path(validate_key(key))
        info = self._file_info(path)
        # Local info has "mtime", s3fs "LastModified"; others answer fs.modified().
        value = info.get("mtime", info.get("LastModified"))
        if value is None:
            value = self._fs.modified(path)
        return _as_utc(value)

    def presigned_url(
        self, key: str, seconds: int, *, content_disposition: str, content_type: str
    ) -> str | None:
        """A URL that fetches the file at ``key`` for ``seconds``, with these headers,
        from whoever holds the link; None when the backend has no such URLs (a local
        folder, memory). Signed here, without asking the server: check that the file
        exists first. S3 caps a presigned URL's life at 7 days."""
        if "s3" not in _protocols(self._fs):
            return None
        # S3 answers with the Content-Disposition and Content-Type the URL names, so
        # the browser saves the file under its name, as a download from Poser would.
        return str(
            self._fs.sign(
                self._path(validate_key(key)),
                expiration=seconds,
                ResponseContentDisposition=content_disposition,
                ResponseContentType=content_type,
            )
        )

    # -- backend hooks and helpers ---------------------------------------------

    def _create(self, path: str) -> Any:
        """A new file at ``path``, open for binary writing."""
        return self._fs.open(path, "wb")

    def _finish(self, out: Any) -> None:
        """Complete a written temporary file (on S3, this uploads its last part)."""
        out.close()

    def _replace(self, src_path: str, dst_path: str) -> None:
        """Move one file over another. Object stores copy then delete: the copy is
        atomic at the destination, which is what readers care about."""
        self._fs.cp_file(src_path, dst_path)
        self._fs.rm_file(src_path)

    def _path(self, key: str) -> str:
        return f"{self._root}/{key}" if self._root != "/" else f"/{key}"

    def _find(self, folder: str) -> list[str]:
        """Paths of all files below ``folder`` ("" for the root), temporaries included."""
        base = self._path(folder) if folder else self._root
        # find() on a file path returns that file, and some backends match by string
        # prefix ("a" finding "ab/c"): keep only what is inside the folder.
        inside = base.rstrip("/") + "/"
        return [path for path in self._fs.find(base) if path.startswith(inside)]

    def _file_info(self, path: str) -> dict[str, Any]:
        info = cast(dict[str, Any], self._fs.info(path))
        if info.get("type") != "file":
            raise FileNotFoundError(f"no file at {path!r}")
        return info

    def _remove_quietly(self, path: str) -> None:
        with contextlib.suppress(OSError):
            self._fs.rm_file(path)


def _copy(data: WriteData, out: Any) -> int:
    if isinstance(data, bytes | bytearray | memoryview):
        out.write(data)
        return memoryview(data).nbytes
    written = 0
    while chunk := data.read(CHUNK_SIZE):
        if not isinstance(chunk, bytes | bytearray):
            raise TypeError("write() needs a binary stream; this one returned text")
        out.write(chunk)
        written += len(chunk)
    return written


def _abandon(out: Any) -> None:
    """Close a half-written file without publishing it where that is possible."""
    with contextlib.suppress(Exception):
        if isinstance(out, AbstractBufferedFile):
            # close() would complete an S3 multipart upload of the partial data;
            # discard() aborts it instead, and marking the file closed skips commit.
            out.discard()
            out.closed = True
        else:
            out.close()


def _protocols(fs: AbstractFileSystem) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


def _is_temporary(key: str) -> bool:
    return key.rsplit("/", 1)[-1].startswith(TEMP_PREFIX)


def _as_utc(value: object) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, datetime):
        # A naive time from a backend is UTC by fsspec convention.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    raise TypeError(f"cannot read a modification time from {value!r}")
