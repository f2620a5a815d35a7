from __future__ import annotations

import stat
from pathlib import Path

from poser.utils.appdir import APPDIR_TREE, make_appdir


def test_creates_the_whole_tree_without_world_access(tmp_path: Path) -> None:
    root = tmp_path / "app"
    made = make_appdir(root)
    assert len(made) == len(APPDIR_TREE) + 1
    for relative in ("", *APPDIR_TREE):
        folder = root / relative
        assert folder.is_dir(), relative
        mode = stat.S_IMODE(folder.stat().st_mode)
        assert mode & 0o007 == 0, f"{relative or '.'} is world-accessible: {oct(mode)}"
        assert mode & 0o700 == 0o700


def test_is_idempotent_and_keeps_contents(tmp_path: Path) -> None:
    make_appdir(tmp_path)
    (tmp_path / "data" / "uploads" / "keep.csv").write_text("upc\n", encoding="utf-8")
    assert make_appdir(tmp_path) == []
    assert (tmp_path / "data" / "uploads" / "keep.csv").read_text(encoding="utf-8") == "upc\n"


def test_closes_world_access_on_an_existing_folder(tmp_path: Path) -> None:
    (tmp_path / "log").mkdir()
    (tmp_path / "log").chmod(0o777)
    make_appdir(tmp_path)
    assert stat.S_IMODE((tmp_path / "log").stat().st_mode) & 0o007 == 0
