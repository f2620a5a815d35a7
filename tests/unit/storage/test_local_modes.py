"""The local store keeps what it writes private, whatever the process's umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from poser.storage import local_store


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the usual default: new files readable by everyone
    yield
    os.umask(previous)


def _modes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): oct(stat.S_IMODE(path.stat().st_mode))
        for path in root.rglob("*")
    }


def test_files_and_folders_it_makes_have_no_world_access(tmp_path: Path, open_umask: None) -> None:
    store = local_store(tmp_path)
    store.write("uploads/7/a/catalog.csv", b"upc\n")
    store.write("exports/report/3/changes.csv", b"upc\n")
    store.move("uploads/7/a/catalog.csv", "batches/catalog/9/catalog.csv")
    assert _modes(tmp_path) == {
        "uploads": "0o750",
        "uploads/7": "0o750",
        "uploads/7/a": "0o750",
        "exports": "0o750",
        "exports/report": "0o750",
        "exports/report/3": "0o750",
        "exports/report/3/changes.csv": "0o640",
        "batches": "0o750",
        "batches/catalog": "0o750",
        "batches/catalog/9": "0o750",
        "batches/catalog/9/catalog.csv": "0o640",
    }


def test_a_stricter_umask_is_kept(tmp_path: Path) -> None:
    previous = os.umask(0o077)
    try:
        local_store(tmp_path).write("exports/x/1/a.csv", b"a")
    finally:
        os.umask(previous)
    assert _modes(tmp_path)["exports/x/1/a.csv"] == "0o600"
    assert _modes(tmp_path)["exports"] == "0o700"
