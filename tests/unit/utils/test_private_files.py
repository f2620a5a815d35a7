"""keep_files_private and make_private_folder: nothing new is open to the world."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from poser.utils.appdir import keep_files_private, make_private_folder


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_umask_leaves_nothing_to_the_world_and_keeps_a_stricter_one(umask: None) -> None:
    keep_files_private()
    assert os.umask(0o077) == 0o027
    keep_files_private()
    assert os.umask(0o022) == 0o077


def test_a_log_file_opened_before_loses_its_world_access(tmp_path: Path, umask: None) -> None:
    handler = logging.FileHandler(tmp_path / "poser.log")
    logger = logging.getLogger("poser.test_private_files")
    logger.addHandler(handler)
    try:
        assert _mode(tmp_path / "poser.log") == 0o644
        keep_files_private()
        assert _mode(tmp_path / "poser.log") == 0o640
    finally:
        logger.removeHandler(handler)
        handler.close()


def test_private_folders_whatever_the_umask(tmp_path: Path, umask: None) -> None:
    make_private_folder(tmp_path / "a" / "b" / "c")
    make_private_folder(tmp_path / "a" / "b" / "c")  # again: nothing to do
    for folder in ("a", "a/b", "a/b/c"):
        assert _mode(tmp_path / folder) == 0o750, folder
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(FileExistsError):
        make_private_folder(tmp_path / "file")
