"""A backup archive: a gzipped tar whose last member, manifest.json, names every other
member with its size and SHA-256, and says what the archive was taken from.

    database/poser.sqlite    the main database (SQLite), copied by SQLite's backup API
    database/poser.pgdump    or the main database (PostgreSQL), pg_dump's custom format
    queue/queue.sqlite       huey's queue and the jobs' live progress, when on SQLite
    data/...                 the app dir's data/, the databases' own files left out
    manifest.json            versions, revision, row counts, checksums

The manifest comes last because its checksums are of what was written: a file that
grows while the archive is taken is checked as it went in.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/poser.sqlite"
PGDUMP_MEMBER = "database/poser.pgdump"
QUEUE_MEMBER = "queue/queue.sqlite"
DATA_PREFIX = "data/"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str


def safe_member_name(name: str) -> bool:
    """A relative path below the archive's root: no absolute path, no '..', no
    backslash, so nothing extracts outside the app dir it restores."""
    path = PurePosixPath(name)
    return (
        bool(name)
        and not path.is_absolute()
        and "\\" not in name
        and all(part not in ("", ".", "..") for part in name.split("/"))
    )


class HashingReader:
    """Reads ``size`` bytes of a file for tarfile and hashes exactly what was read."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def add_file(tar: tarfile.TarFile, name: str, path: Path) -> Member:
    """Add the file at ``path`` as ``name``, as long as it was when opened."""
    with path.open("rb") as handle:
        info = tarfile.TarInfo(name)
        stat = path.stat()
        info.size = stat.st_size
        info.mtime = int(stat.st_mtime)
        info.mode = 0o640
        reader = HashingReader(handle)
        tar.addfile(info, reader)  # type: ignore[arg-type]
    return Member(name, info.size, reader.digest.hexdigest())


def add_manifest(tar: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    import io

    data = json.dumps(manifest, indent=2, sort_keys=True).encode()
    info = tarfile.TarInfo(MANIFEST)
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o640
    tar.addfile(info, io.BytesIO(data))


def read_manifest(archive: Path) -> dict[str, Any]:
    """The manifest of ``archive``; BackupError when it is not a Poser backup."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            handle = tar.extractfile(MANIFEST)
            if handle is None:
                raise KeyError(MANIFEST)
            manifest = json.loads(handle.read())
    except FileNotFoundError as exc:
        raise BackupError(f"no backup file {archive}") from exc
    except (tarfile.TarError, KeyError, EOFError, OSError, ValueError) as exc:
        raise BackupError(
            f"{archive} is not a readable Poser backup (no manifest, or the file is damaged)"
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a Poser backup of a format this version reads")
    return manifest


def members_of(manifest: dict[str, Any]) -> dict[str, Member]:
    return {
        name: Member(name, int(entry["size"]), str(entry["sha256"]))
        for name, entry in manifest.get("members", {}).items()
    }


def verify_archive(archive: Path) -> dict[str, Any]:
    """Read every member of ``archive`` and check it against the manifest: the same
    names, sizes and SHA-256. Returns the manifest; BackupError names what differs."""
    manifest = read_manifest(archive)
    expected = members_of(manifest)
    unsafe = [name for name in expected if not safe_member_name(name)]
    if unsafe:
        raise BackupError(f"{archive}: the manifest names a path outside the app dir: {unsafe[0]}")
    seen: set[str] = set()
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for info, digest in _hashed_members(tar):
                if info.name == MANIFEST:
                    continue
                member = expected.get(info.name)
                if member is None:
                    raise BackupError(f"{archive}: {info.name} is not in the manifest")
                if info.size != member.size or digest != member.sha256:
                    raise BackupError(
                        f"{archive} is damaged: {info.name} does not match its checksum"
                    )
                seen.add(info.name)
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise BackupError(f"{archive} is damaged and cannot be read to its end ({exc})") from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{archive} is incomplete: {missing[0]} is missing")
    return manifest


def _hashed_members(tar: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, str]]:
    for info in tar:
        if not info.isfile():
            raise BackupError(f"{info.name}: only plain files belong in a backup")
        handle = tar.extractfile(info)
        digest = hashlib.sha256()
        if handle is not None:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        yield info, digest.hexdigest()
