"""The storage backends: local folder, in-process memory, S3-compatible object store."""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path
from typing import Any, BinaryIO

from fsspec.implementations.local import LocalFileSystem
from fsspec.implementations.memory import MemoryFileSystem

from poser.storage.fsspec_store import FsspecFileStore
from poser.storage.keys import InvalidKey, validate_key, validate_prefix
from poser.utils.appdir import FILE_MODE, make_private_folder

#: S3 multipart part size: a write buffers at most this much (s3fs' default is 50 MiB).
S3_BLOCK_SIZE = 8 * 1024 * 1024


class LocalFileStore(FsspecFileStore):
    """Files in a folder on this machine (by default the app dir's data/).

    Files are created with ``FILE_MODE`` and folders with ``APPDIR_MODE`` (less, if the
    umask takes more away): uploads, batches and exports are never open to the world,
    whatever umask the process was started with.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        super().__init__(
            LocalFileSystem(auto_mkdir=True), Path(root).expanduser().resolve().as_posix()
        )

    def _create(self, path: str) -> Any:
        make_private_folder(os.path.dirname(path))
        # O_EXCL: the name is new (a random one), never an existing file or link.
        return open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE), "wb")

    def _finish(self, out: Any) -> None:
        # On disk before the rename publishes it: after a power cut the key holds the
        # old file or the new one, not an empty or truncated one.
        out.flush()
        os.fsync(out.fileno())
        out.close()

    def _replace(self, src_path: str, dst_path: str) -> None:
        # rename(2) is atomic and, unlike shutil.move (fsspec's mv), never moves a
        # file *into* a folder that happens to have the destination's name.
        make_private_folder(os.path.dirname(dst_path))
        os.replace(src_path, dst_path)

    def remove_tree(self, prefix: str) -> None:
        # One rmtree, which also drops the emptied folders (as on object stores).
        folder = self._path(validate_prefix(prefix, allow_root=False))
        if self._fs.isdir(folder):
            self._fs.rm(folder, recursive=True)


class MemoryFileStore(FsspecFileStore):
    """Files in this process's memory, for tests. Each instance is empty and isolated."""

    def __init__(self) -> None:
        # fsspec's MemoryFileSystem is one store for the whole process: a unique root
        # keeps instances (and tests) apart.
        super().__init__(MemoryFileSystem(), f"/poser-{uuid.uuid4().hex}")

    def open(self, key: str) -> BinaryIO:
        # The memory filesystem hands every reader the same stored BytesIO (one shared
        # position); a copy gives each reader its own, as files on disk do.
        with super().open(key) as stored:
            return io.BytesIO(stored.read())


def local_store(root: str | os.PathLike[str]) -> LocalFileStore:
    return LocalFileStore(root)


def memory_store() -> MemoryFileStore:
    return MemoryFileStore()


def s3_store(
    bucket: str,
    prefix: str = "",
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
) -> FsspecFileStore:
    """Files in an S3 bucket (or any S3-compatible server at ``endpoint_url``).

    Credentials come from botocore's usual sources (AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY in the environment, or an instance role), never from
    Poser's settings files, which end up in backups and repositories.
    """
    try:
        # Imported here: s3fs is optional (the "s3" extra).
        import s3fs
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise ImportError("the s3 storage backend needs s3fs: pip install 'poser[s3]'") from error
    if not bucket or "/" in bucket:
        raise ValueError(f"S3 bucket name {bucket!r} is not valid")
    prefix = prefix.strip("/")
    if prefix:
        try:
            validate_key(prefix)
        except InvalidKey as error:
            raise ValueError(f"S3 prefix {prefix!r} is not valid: {error}") from error
    fs = s3fs.S3FileSystem(
        endpoint_url=endpoint_url or None,
        client_kwargs={"region_name": region} if region else None,
        default_block_size=S3_BLOCK_SIZE,
        # Signature version 4, which every region takes, also for presigned URLs
        # (botocore would sign those with version 2, which newer regions refuse).
        config_kwargs={"signature_version": "s3v4"},
        # Each store gets its own client, and listings always ask the server:
        # another process may have written since (the worker, another web node).
        skip_instance_cache=True,
        use_listings_cache=False,
    )
    return FsspecFileStore(fs, f"{bucket}/{prefix}" if prefix else bucket)
