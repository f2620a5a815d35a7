"""An upgrade with a small script as its command: succeeded, failed, a command that
cannot start, a package diff, migrations applied revision by revision, and a process
killed half-way, marked interrupted at the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from poser.models.orm import Upgrade
from poser.tasks.upgrades import UpgradeError, mark_interrupted, run_upgrade, upgrade_folder
from poser.tasks.upgrades.records import read_record
from poser.tasks.upgrades.run import migrations_between, upgrade_lock
from tests.database_support import migration_module
from tests.upgrade_support import script_plan, site_database, site_ini

DIST = """
import pathlib, shutil, sys
root = pathlib.Path(sys.argv[1])
def dist(name, version):
    info = root / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n")
"""


def test_a_successful_upgrade_records_its_output_packages_and_status(tmp_path: Path) -> None:
    ini = site_ini(tmp_path)
    script = "import sys; print('installing'); print('careful', file=sys.stderr)"
    with site_database(ini) as (session_factory, engine, settings):
        upgrades = Path(settings["poser.appdir"]) / "data" / "upgrades"
        upgrade = run_upgrade(
            session_factory, engine, script_plan(ini, script), upgrades, run_by="ada", note=" why "
        )
        assert (upgrade.status, upgrade.exit_code, upgrade.error) == ("succeeded", 0, None)
        assert (upgrade.run_by, upgrade.note) == ("ada", "why")
        assert upgrade.finished_at is not None
        assert upgrade.revision_before == upgrade.revision_after is not None
        assert upgrade.migrations == []
        assert upgrade.command == "{python} -c <a test script>"
        record = read_record(upgrades, upgrade)
        assert "installing\n" in record.stdout.text
        assert record.stderr.text == "careful\n"
        assert record.diff is not None
        assert not record.diff
        assert record.packages_before > 10
        folder = upgrade_folder(upgrades, upgrade.id)
        assert sorted(p.name for p in folder.iterdir()) == [
            "packages-after.txt", "packages-before.txt", "stderr.log", "stdout.log",
        ]  # fmt: skip
        assert all(not p.stat().st_mode & 0o007 for p in folder.iterdir())


def test_a_failing_command_is_recorded_as_failed(tmp_path: Path) -> None:
    ini = site_ini(tmp_path)
    with site_database(ini) as (session_factory, engine, settings):
        upgrades = Path(settings["poser.appdir"]) / "data" / "upgrades"
        plan = script_plan(
            ini, "import sys; print('no such version', file=sys.stderr); sys.exit(3)", migrate=True
        )
        upgrade = run_upgrade(session_factory, engine, plan, upgrades, run_by="ada")
        assert (upgrade.status, upgrade.exit_code) == ("failed", 3)
        assert upgrade.error == "The upgrade command failed with exit code 3: see its output."
        record = read_record(upgrades, upgrade)
        assert "no such version" in record.stderr.text
        assert "db upgrade" not in record.stdout.text  # no migrations after a failed install

        plan.command[0] = str(tmp_path / "no-such-program")
        missing = run_upgrade(session_factory, engine, plan, upgrades, run_by="ada")
        assert (missing.status, missing.exit_code) == ("failed", None)
        assert missing.error is not None
        assert missing.error.startswith("The upgrade command could not start")


def test_the_package_diff_shows_what_the_command_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ini = site_ini(tmp_path)
    packages = tmp_path / "site-packages"
    packages.mkdir()
    monkeypatch.syspath_prepend(str(packages))
    setup = DIST + "dist('poser-test-kept', '1.0'); dist('poser-test-gone', '1.0')"
    subprocess.run([sys.executable, "-c", setup, str(packages)], check=True)
    change = DIST + (
        "shutil.rmtree(root / 'poser-test-kept-1.0.dist-info'); dist('poser-test-kept', '2.0')\n"
        "shutil.rmtree(root / 'poser-test-gone-1.0.dist-info'); dist('poser_test_new', '0.1')\n"
    )
    with site_database(ini) as (session_factory, engine, settings):
        upgrades = Path(settings["poser.appdir"]) / "data" / "upgrades"
        plan = script_plan(ini, change)
        plan.command.append(str(packages))
        upgrade = run_upgrade(session_factory, engine, plan, upgrades, run_by="ada")
        assert upgrade.status == "succeeded", read_record(upgrades, upgrade).stderr.text
        diff = read_record(upgrades, upgrade).diff
        assert diff is not None
        assert diff.added == [("poser-test-new", "0.1")]
        assert diff.removed == [("poser-test-gone", "1.0")]
        assert diff.changed == [("poser-test-kept", "1.0", "2.0")]


def test_the_migrations_applied_are_listed_revision_by_revision(tmp_path: Path) -> None:
    assert migrations_between("0017", "0019") == [
        {"revision": "0018", "title": migration_module("0018").__doc__.splitlines()[0]},
        {"revision": "0019", "title": "upgrade: the record of each `poser upgrade run`"},
    ]
    assert migrations_between("0019", "0019") == []
    assert migrations_between("0019", "0017") == []  # a downgrade applies none

    ini = site_ini(tmp_path)
    with site_database(ini) as (session_factory, engine, settings):
        upgrades = Path(settings["poser.appdir"]) / "data" / "upgrades"
        plan = script_plan(ini, "print('new code installed')", migrate=True)
        upgrade = run_upgrade(session_factory, engine, plan, upgrades, run_by="ada")
        assert (upgrade.status, upgrade.migrations) == ("succeeded", [])
        assert "Database schema is up to date" in read_record(upgrades, upgrade).stdout.text


def test_a_database_before_the_upgrade_table_is_told_to_migrate_first(tmp_path: Path) -> None:
    ini = site_ini(tmp_path, revision="0018")
    with site_database(ini) as (session_factory, engine, settings):
        upgrades = Path(settings["poser.appdir"]) / "data" / "upgrades"
        assert mark_interrupted(session_factory, engine, upgrades) == []
        with pytest.raises(UpgradeError, match=r"revision 0018.*run poser db upgrade once"):
            run_upgrade(session_factory, engine, script_plan(ini, "pass"), upgrades, run_by="a")


def test_a_killed_upgrade_is_marked_interrupted_by_the_next_run(tmp_path: Path) -> None:
    script = "import time; print('started', flush=True); time.sleep(120)"
    ini = site_ini(tmp_path, **{"poser.upgrade.command": f'{{python}} -c "{script}"'})
    upgrades = tmp_path / "app" / "data" / "upgrades"
    process = subprocess.Popen(
        [sys.executable, "-m", "poser", "-c", str(ini), "upgrade", "run", "--note", "to kill"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log = upgrades / "1" / "stdout.log"
    deadline = time.monotonic() + 60
    while not (log.exists() and "started" in log.read_text()):
        assert time.monotonic() < deadline, "the upgrade did not start"
        assert process.poll() is None, "the upgrade ended on its own"
        time.sleep(0.1)
    with site_database(ini) as (session_factory, engine, _):
        # While it runs, nothing is marked and no second upgrade starts.
        assert mark_interrupted(session_factory, engine, upgrades) == []
        with pytest.raises(UpgradeError, match="another upgrade is running"):
            run_upgrade(session_factory, engine, script_plan(ini, "pass"), upgrades, run_by="x")

        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
        with session_factory() as session:
            assert session.scalars(select(Upgrade.status)).all() == ["running"]

        after = run_upgrade(session_factory, engine, script_plan(ini, "pass"), upgrades, run_by="x")
        assert after.status == "succeeded"
        with session_factory() as session:
            killed = session.get_one(Upgrade, 1)
            assert (killed.status, killed.exit_code, killed.note) == (
                "interrupted",
                None,
                "to kill",
            )
            assert killed.error is not None
            assert "stopped before it finished" in killed.error
            assert killed.finished_at is not None
        record = read_record(upgrades, killed)
        assert record.stdout.text.endswith("started\n")
        assert record.diff is not None  # its after-snapshot is taken when it is found


def test_the_lock_is_this_hosts_one_upgrade_at_a_time(tmp_path: Path) -> None:
    with upgrade_lock(tmp_path) as first, upgrade_lock(tmp_path) as second:
        assert (first, second) == (True, False)
    with upgrade_lock(tmp_path) as again:
        assert again


def test_an_upgrade_stopped_with_ctrl_c_is_marked_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ini = site_ini(tmp_path)

    def interrupted(*args: object, **kwargs: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(subprocess, "call", interrupted)
    with site_database(ini) as (session_factory, engine, settings):
        upgrades = Path(settings["poser.appdir"]) / "data" / "upgrades"
        with pytest.raises(KeyboardInterrupt):
            run_upgrade(session_factory, engine, script_plan(ini, "pass"), upgrades, run_by="ada")
        with session_factory() as session:
            stopped = session.scalars(select(Upgrade)).one()
        assert (stopped.status, stopped.error) == (
            "interrupted",
            "The upgrade was stopped (Ctrl-C) before it finished.",
        )
        assert (upgrade_folder(upgrades, stopped.id) / "packages-after.txt").exists()
