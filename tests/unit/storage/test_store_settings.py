"""store_from_settings: which store the settings build."""

from __future__ import annotations

from pathlib import Path

import pytest

from poser.storage import FileStore, LocalFileStore, MemoryFileStore, store_from_settings
from poser.utils.settings import SettingsError, prepare_settings
from tests.unit.storage.s3_server import REGION, S3Server, s3_settings


def test_local_is_the_default_rooted_at_the_app_dirs_data(tmp_path: Path) -> None:
    store = store_from_settings({"poser.appdir": str(tmp_path)})
    assert isinstance(store, LocalFileStore)
    assert isinstance(store, FileStore)
    store.write("uploads/u.csv", b"x")
    assert (tmp_path / "data" / "uploads" / "u.csv").read_bytes() == b"x"


def test_local_root_absolute_or_relative_to_the_app_dir(tmp_path: Path) -> None:
    absolute = store_from_settings(
        {"poser.storage.backend": "local", "poser.storage.root": str(tmp_path / "elsewhere")}
    )
    relative = store_from_settings(
        {"poser.appdir": str(tmp_path / "app"), "poser.storage.root": "files"}
    )
    absolute.write("a", b"1")
    relative.write("b", b"2")
    assert (tmp_path / "elsewhere" / "a").read_bytes() == b"1"
    assert (tmp_path / "app" / "files" / "b").read_bytes() == b"2"


def test_local_needs_a_root_or_an_app_dir() -> None:
    with pytest.raises(SettingsError, match=r"poser\.storage\.root"):
        store_from_settings({"poser.storage.backend": "local"})


def test_memory_stores_are_isolated() -> None:
    one = store_from_settings({"poser.storage.backend": "memory"})
    two = store_from_settings({"poser.storage.backend": " memory "})
    assert isinstance(one, MemoryFileStore)
    one.write("k", b"one")
    assert one.list() == ["k"]
    assert two.list() == []
    one.remove("k")


def test_unknown_backend_names_the_setting() -> None:
    with pytest.raises(ValueError, match=r"poser\.storage\.backend = 'ftp' is not known"):
        store_from_settings({"poser.storage.backend": "ftp"})


def test_s3_needs_a_bucket() -> None:
    with pytest.raises(ValueError, match=r"poser\.storage\.s3\.bucket is required"):
        store_from_settings({"poser.storage.backend": "s3"})


@pytest.mark.parametrize(("bucket", "prefix"), [("a/b", ""), ("bucket", "../up"), ("b", "a//b")])
def test_s3_rejects_bad_bucket_and_prefix(bucket: str, prefix: str) -> None:
    server = S3Server("http://127.0.0.1:9", bucket)
    with pytest.raises(SettingsError, match=r"poser\.storage\.s3"):
        store_from_settings(s3_settings(server, prefix))


def test_s3_store_from_settings(s3_server: S3Server, aws_environ: None) -> None:
    store = store_from_settings(s3_settings(s3_server, "/from-settings/"))
    assert isinstance(store, FileStore)
    store.write("k", b"on s3")
    assert store.read_bytes("k") == b"on s3"
    store.remove("k")
    assert store.list() == []


def test_the_environment_chooses_s3(tmp_path: Path, s3_server: S3Server, aws_environ: None) -> None:
    """POSER_STORAGE_BACKEND and POSER_S3_* (README.md, "Configuration") override the ini."""
    settings = prepare_settings(
        {"poser.storage.backend": "local"},
        here=tmp_path,
        environ={
            "POSER_STORAGE_BACKEND": "s3",
            "POSER_S3_BUCKET": s3_server.bucket,
            "POSER_S3_PREFIX": "from-environment",
            "POSER_S3_ENDPOINT_URL": s3_server.endpoint_url,
            "POSER_S3_REGION": REGION,
        },
    )
    store = store_from_settings(settings)
    store.write("k", b"on s3")
    assert not (tmp_path / "app" / "data" / "k").exists()
    reader = store_from_settings(s3_settings(s3_server, "from-environment"))
    assert reader.read_bytes("k") == b"on s3"
    store.remove("k")
