"""File storage over fsspec: local folder (default, the app dir's data/), memory, S3.

Callers type against ``FileStore`` (a Protocol); entry points build the real store
with ``store_from_settings`` and hand it down.
"""

from poser.storage.backends import (
    LocalFileStore,
    MemoryFileStore,
    local_store,
    memory_store,
    s3_store,
)
from poser.storage.fsspec_store import FsspecFileStore
from poser.storage.interface import FileStore, ReadableStream, WriteData
from poser.storage.keys import InvalidKey, validate_key
from poser.storage.settings import store_from_settings

__all__ = [
    "FileStore",
    "FsspecFileStore",
    "InvalidKey",
    "LocalFileStore",
    "MemoryFileStore",
    "ReadableStream",
    "WriteData",
    "local_store",
    "memory_store",
    "s3_store",
    "store_from_settings",
    "validate_key",
]
