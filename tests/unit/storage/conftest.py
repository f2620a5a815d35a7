"""Stores for the contract tests: a local folder, memory, and S3 on a local moto server."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import s3fs
from moto.server import ThreadedMotoServer

from poser.storage import FsspecFileStore, store_from_settings
from tests.unit.storage.s3_server import DUMMY_KEY_ID, DUMMY_SECRET, REGION, S3Server, s3_settings

BACKENDS = ("local", "memory", "s3")


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A real S3-compatible HTTP server (moto) on a free local port, with one bucket.

    Every test gets its own prefix in the bucket, so one server serves the session.
    """
    if sys.flags.dev_mode or os.environ.get("PYTHONASYNCIODEBUG"):
        # aiohttp (under s3fs) parses strictly in these modes and rejects moto's
        # responses, which carry two Server headers (getmoto/moto#9930).
        pytest.skip("moto's server mode does not work with aiohttp's strict debug parsing")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint_url = f"http://{host}:{port}"
        bucket = "poser-test"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=REGION,
            aws_access_key_id=DUMMY_KEY_ID,
            aws_secret_access_key=DUMMY_SECRET,
        )
        try:
            client.create_bucket(Bucket=bucket)
        finally:
            client.close()
        yield S3Server(endpoint_url, bucket)
    finally:
        s3fs.S3FileSystem.clear_instance_cache()
        server.stop()


@pytest.fixture(scope="session")
def aws_environ(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Dummy credentials where the s3 backend looks for them (the environment), and
    nothing from the developer's own AWS setup (profiles, config files, endpoints)."""
    nowhere = tmp_path_factory.mktemp("no-aws")
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in (
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_SESSION_TOKEN",
            "AWS_SECURITY_TOKEN",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_S3",
            "AWS_DEFAULT_REGION",
            "AWS_REGION",
        ):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_KEY_ID)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET)
        monkeypatch.setenv("AWS_CONFIG_FILE", str(nowhere / "config"))
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nowhere / "credentials"))
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield


@pytest.fixture(scope="session")
def s3_session_store(s3_server: S3Server, aws_environ: None) -> FsspecFileStore:
    """One s3 store (one S3 client) for the session: a new botocore client loads the
    S3 service model again, which costs a few tenths of a second per test."""
    store = store_from_settings(s3_settings(s3_server, "session"))
    assert isinstance(store, FsspecFileStore)
    return store


def make_store(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> FsspecFileStore:
    if backend == "s3":
        # Same client, a fresh prefix: each test starts with an empty store.
        shared: FsspecFileStore = request.getfixturevalue("s3_session_store")
        return FsspecFileStore(shared.fs, f"{shared.root}/test-{uuid.uuid4().hex}")
    settings: dict[str, object] = {"poser.storage.backend": backend}
    if backend == "local":
        settings["poser.storage.root"] = str(tmp_path / "files")
    store = store_from_settings(settings)
    assert isinstance(store, FsspecFileStore)
    return store


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[FsspecFileStore]:
    store = make_store(backend, request, tmp_path)
    yield store
    # Memory and moto keep files in this process for the whole session: free them.
    for key in store.list():
        store.remove(key)
