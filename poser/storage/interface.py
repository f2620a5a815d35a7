"""The file store interface that tasks and apps type against.

Code above storage depends on this Protocol, not on fsspec: entry points build the
real store from settings and hand it down, and tests can pass any backend.
"""

from __future__ import annotations

from datetime import datetime
from typing import BinaryIO, Protocol, runtime_checkable


class ReadableStream(Protocol):
    """Anything with a binary ``read(size)``: an open file, a socket file, a cgi upload."""

    def read(self, size: int = -1, /) -> bytes: ...


#: What ``FileStore.write`` accepts: the content itself or a stream to copy in chunks.
WriteData = bytes | bytearray | memoryview | ReadableStream


@runtime_checkable
class FileStore(Protocol):
    """Files addressed by keys: relative POSIX paths below the store's root.

    Keys are checked by ``poser.storage.keys.validate_key`` (InvalidKey, a ValueError,
    on a bad key). Operations on a key with no file raise FileNotFoundError.
    """

    def write(self, key: str, data: WriteData) -> int:
        """Store ``data`` at ``key`` atomically, replacing any file there; return its size.

        Readers see the old file or the new one, never a part of it. A stream is
        copied in chunks; if reading it fails, nothing is left at ``key``.
        """
        ...

    def open(self, key: str) -> BinaryIO:
        """A binary stream of the file at ``key``, for reading in chunks. Close it."""
        ...

    def read_bytes(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool:
        """True if a file (not a folder) is at ``key``."""
        ...

    def move(self, src: str, dst: str) -> None:
        """Move the file at ``src`` to ``dst``, replacing any file there."""
        ...

    def remove(self, key: str) -> None: ...

    def remove_tree(self, prefix: str) -> None:
        """Remove every file below the folder ``prefix``; nothing there is not an error."""
        ...

    def list(self, prefix: str = "") -> list[str]:
        """Sorted keys of the files below the folder ``prefix`` ("" for all), recursively."""
        ...

    def size(self, key: str) -> int: ...

    def modified(self, key: str) -> datetime:
        """When the file at ``key`` was last written, as an aware UTC datetime."""
        ...
