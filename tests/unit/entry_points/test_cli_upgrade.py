"""`poser upgrade run|list|show` from the command line: the ini's command runs, the
record is listed and shown; a failed upgrade exits 1 with its message."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.entry_points.test_cli import run
from tests.upgrade_support import site_ini

pytestmark = pytest.mark.usefixtures("clean_environ")


def test_run_list_and_show(tmp_path: Path) -> None:
    ini = str(
        site_ini(
            tmp_path,
            **{
                "poser.upgrade.command": '{python} -c "print(42)"',
                "poser.upgrade.migrate": "false",
            },
        )
    )
    done = run("-c", ini, "upgrade", "run", "--note", "monthly")
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[0] == 'running: {python} -c "print(42)"'
    assert "upgrade 1: succeeded in " in done.output
    assert "packages: unchanged" in done.output

    listed = run("-c", ini, "upgrade", "list").output.splitlines()
    assert len(listed) == 1
    assert listed[0].startswith("1\tsucceeded\t")
    assert listed[0].endswith("\tmonthly")

    shown = run("-c", ini, "upgrade", "show", "1")
    assert shown.exit_code == 0
    assert "note: monthly" in shown.output
    assert "exit code: 0" in shown.output
    assert "--- stdout" in shown.output
    assert "42" in shown.output.splitlines()
    missing = run("-c", ini, "upgrade", "show", "9")
    assert missing.exit_code == 1
    assert "no upgrade 9" in missing.output


def test_a_failed_upgrade_exits_1_and_says_why(tmp_path: Path) -> None:
    ini = str(
        site_ini(
            tmp_path,
            **{"poser.upgrade.command": '{python} -c "raise SystemExit(4)"'},
        )
    )
    failed = run("-c", ini, "upgrade", "run")
    assert failed.exit_code == 1
    assert "upgrade 1: failed" in failed.output
    assert "The upgrade command failed with exit code 4" in failed.output

    unreadable = tmp_path / "bad"
    unreadable.mkdir()
    bad = site_ini(unreadable, **{"poser.upgrade.command": '{python} -c "unclosed'})
    refused = run("-c", str(bad), "upgrade", "run")
    assert refused.exit_code == 1
    assert "poser.upgrade.command" in refused.output
