"""`poser backup FILE` and `poser restore FILE PATH` say what they did, and refuse
with a message and exit code 1 what they will not do."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.entry_points.test_cli import _ini, run

pytestmark = pytest.mark.usefixtures("clean_environ")


def test_backup_and_restore_from_the_command_line(tmp_path: Path) -> None:
    ini = str(_ini(tmp_path))
    assert run("-c", ini, "make-appdir").exit_code == 0
    assert run("-c", ini, "db", "upgrade").exit_code == 0
    run("-c", ini, "user", "create", "tina", stdin="a long password\n")
    (tmp_path / "app" / "data" / "uploads" / "a.csv").write_text("upc\n")

    taken = run("-c", ini, "backup", str(tmp_path / "b.tar.gz"))
    assert taken.exit_code == 0, taken.output
    assert "sqlite database at revision" in taken.output
    assert "1 file)" in taken.output

    again = run("-c", ini, "backup", str(tmp_path / "b.tar.gz"))
    assert again.exit_code == 1
    assert "exists already: name a new file" in again.output

    restored = run("-c", ini, "restore", str(tmp_path / "b.tar.gz"), str(tmp_path / "copy"))
    assert restored.exit_code == 0, restored.output
    assert "restored" in restored.output
    assert (tmp_path / "copy" / "data" / "uploads" / "a.csv").read_text() == "upc\n"

    # The restored app dir is a site: its users are there.
    copy_ini = tmp_path / "copy.ini"
    copy_ini.write_text(f"[app:main]\nuse = egg:poser\nposer.appdir = {tmp_path / 'copy'}\n")
    listed = run("-c", str(copy_ini), "user", "list")
    assert listed.output.splitlines() == ["tina\toperator"]

    refused = run("-c", ini, "restore", str(tmp_path / "b.tar.gz"), str(tmp_path / "copy"))
    assert refused.exit_code == 1
    assert "is not empty" in refused.output
    assert "--force" in refused.output
    missing = run("-c", ini, "restore", str(tmp_path / "nope.tar.gz"), str(tmp_path / "x"))
    assert missing.exit_code == 1
    assert "no backup file" in missing.output
