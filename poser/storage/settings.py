"""Build the file store that the settings ask for."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from poser.storage.backends import local_store, memory_store, s3_store
from poser.storage.interface import FileStore
from poser.utils.settings import SettingsError

BACKEND = "poser.storage.backend"
ROOT = "poser.storage.root"
S3_BUCKET = "poser.storage.s3.bucket"
S3_PREFIX = "poser.storage.s3.prefix"
S3_ENDPOINT_URL = "poser.storage.s3.endpoint_url"
S3_REGION = "poser.storage.s3.region"

BACKENDS = ("local", "memory", "s3")


def store_from_settings(settings: Mapping[str, object]) -> FileStore:
    """The store named by ``poser.storage.backend`` (local, the default; memory; s3).

    local: ``poser.storage.root``, default ``<poser.appdir>/data``; a relative root is
    taken relative to the app dir. s3: ``poser.storage.s3.bucket`` (required),
    ``.prefix``, ``.endpoint_url``, ``.region``; credentials from the AWS_* environment.
    """
    backend = _text(settings, BACKEND).lower() or "local"
    if backend == "local":
        return local_store(_local_root(settings))
    if backend == "memory":
        return memory_store()
    if backend == "s3":
        bucket = _text(settings, S3_BUCKET)
        if not bucket:
            raise SettingsError(f"{S3_BUCKET} is required when {BACKEND} = s3")
        try:
            return s3_store(
                bucket,
                _text(settings, S3_PREFIX),
                endpoint_url=_text(settings, S3_ENDPOINT_URL) or None,
                region=_text(settings, S3_REGION) or None,
            )
        except ValueError as error:
            raise SettingsError(f"{S3_BUCKET} / {S3_PREFIX}: {error}") from error
    raise SettingsError(f"{BACKEND} = {backend!r} is not known; use one of: {', '.join(BACKENDS)}")


def _local_root(settings: Mapping[str, object]) -> Path:
    appdir = _text(settings, "poser.appdir")
    root = _text(settings, ROOT)
    if root and Path(root).expanduser().is_absolute():
        return Path(root).expanduser()
    if not appdir:
        raise SettingsError(f"{ROOT} must be an absolute path when poser.appdir is not set")
    return Path(appdir).expanduser() / (root or "data")


def _text(settings: Mapping[str, object], key: str) -> str:
    value = settings.get(key)
    return "" if value is None else str(value).strip()
