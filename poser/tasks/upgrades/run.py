"""`run_upgrade`: the site's upgrade, run and recorded.

The command comes from the ini file (``poser.upgrade.command``), never from the
database or the web: nothing a page or a stored row says is ever run. By default it
installs the newest Poser; then, unless ``poser.upgrade.migrate = false``, the new
code migrates the database (``python -m poser -c <ini> db upgrade head``, a fresh
process, so the migrations are the new ones).

Everything lands in data/upgrades/<id>/: ``packages-before.txt`` and
``packages-after.txt`` (name==version), ``stdout.log`` and ``stderr.log``, written as
the command writes them, so a page tails them while it runs. The Upgrade row holds the
rest. One upgrade runs at a time on a host: it holds ``upgrades/upgrade.lock``; a row
still "running" when the lock is free belongs to a process that died, and is marked
"interrupted" by the next run (or `poser upgrade list`).
"""

from __future__ import annotations

import fcntl
import os
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from poser.models.db_management import alembic_config
from poser.models.orm import Upgrade
from poser.tasks.upgrades.packages import installed_packages, write_snapshot
from poser.utils.appdir import FILE_MODE, make_private_folder
from poser.utils.settings import SettingsError, setting_bool
from poser.utils.timeutil import utcnow

DEFAULT_COMMAND = "{python} -m pip install --upgrade poser"
LOCK_FILE = "upgrade.lock"
BEFORE, AFTER = "packages-before.txt", "packages-after.txt"
STDOUT, STDERR = "stdout.log", "stderr.log"
INTERRUPTED = "The upgrade's process stopped before it finished (found by the next run)."
STOPPED = "The upgrade was stopped (Ctrl-C) before it finished."


class UpgradeError(Exception):
    """An upgrade that cannot start; the message says why."""


@dataclass(frozen=True)
class UpgradePlan:
    """What an upgrade runs: argument lists, never a shell line."""

    command: list[str]
    migrate: list[str] | None
    template: str = ""  # the command as the ini gives it, for the record

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], config_file: str) -> UpgradePlan:
        text = str(settings.get("poser.upgrade.command") or DEFAULT_COMMAND).strip()
        values = {"python": sys.executable, "config": str(Path(config_file).resolve())}
        try:
            command = [part.format(**values) for part in shlex.split(text)]
        except (ValueError, KeyError, IndexError) as exc:
            raise SettingsError(
                f"poser.upgrade.command = {text!r}: {exc} (it may name {{python}} and {{config}})"
            ) from exc
        if not command:
            raise SettingsError("poser.upgrade.command is empty: name the command to run")
        migrate = None
        if setting_bool(settings, "poser.upgrade.migrate", True):
            migrate = [
                sys.executable,
                "-m",
                "poser",
                "-c",
                values["config"],
                "db",
                "upgrade",
                "head",
            ]
        return cls(command, migrate, text)

    def text(self) -> str:
        """The plan in the ini's words: the command as configured, then the migrations."""
        command = self.template or shlex.join(self.command)
        return f"{command}, then poser db upgrade head" if self.migrate else command


def upgrade_folder(upgrades_dir: Path, upgrade_id: int) -> Path:
    return Path(upgrades_dir) / str(upgrade_id)


@contextmanager
def upgrade_lock(upgrades_dir: Path) -> Iterator[bool]:
    """Holds this host's upgrade lock while inside; yields False (holding nothing)
    when another process holds it: an upgrade runs."""
    make_private_folder(upgrades_dir)
    handle = (Path(upgrades_dir) / LOCK_FILE).open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        handle.close()  # closing releases the lock


def mark_interrupted(
    session_factory: sessionmaker[Session], engine: Engine, upgrades_dir: Path
) -> list[int]:
    """Mark this host's upgrades left "running" by a process that died; their ids.
    Nothing is marked while an upgrade runs here (its process holds the lock)."""
    with upgrade_lock(upgrades_dir) as free:
        if not free or not has_upgrade_table(engine):
            return []
        return _mark_dead(session_factory, engine, upgrades_dir)


def has_upgrade_table(engine: Engine) -> bool:
    with engine.connect() as connection:
        return inspect(connection).has_table(Upgrade.__tablename__)


def _mark_dead(
    session_factory: sessionmaker[Session],
    engine: Engine,
    upgrades_dir: Path,
    error: str = INTERRUPTED,
) -> list[int]:
    """Mark this host's upgrades still "running" interrupted (the caller holds the
    lock, so none of them runs), each with its packages as they are now."""
    host = socket.gethostname()
    with session_factory.begin() as session:
        dead = session.scalars(
            select(Upgrade.id).where(Upgrade.status == "running", Upgrade.host == host)
        ).all()
    revision = schema_revision(engine)
    for upgrade_id in dead:
        folder = upgrade_folder(upgrades_dir, upgrade_id)
        if folder.is_dir() and not (folder / AFTER).exists():
            write_snapshot(folder / AFTER, installed_packages())
        with session_factory.begin() as session:
            session.execute(
                update(Upgrade)
                .where(Upgrade.id == upgrade_id, Upgrade.status == "running")
                .values(
                    status="interrupted", finished_at=utcnow(), error=error,
                    revision_after=revision,
                )
            )  # fmt: skip
    return list(dead)


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrations_between(before: str | None, after: str | None) -> list[dict[str, str]]:
    """The migrations from ``before`` (excluded) to ``after``, oldest first, read from
    the migration files as they are now (the new code's)."""
    if after is None or before == after:
        return []
    script = ScriptDirectory.from_config(alembic_config({}))
    try:
        revisions = list(script.iterate_revisions(after, before or "base"))
    except Exception:  # a downgrade, or revisions this code does not know: none listed
        return []
    return [
        {"revision": r.revision, "title": (r.doc or "").strip().splitlines()[0] if r.doc else ""}
        for r in reversed(revisions)
    ]


def run_upgrade(
    session_factory: sessionmaker[Session],
    engine: Engine,
    plan: UpgradePlan,
    upgrades_dir: Path,
    *,
    run_by: str,
    note: str = "",
) -> Upgrade:
    """Run ``plan`` and record it; returns the finished row (detached)."""
    with upgrade_lock(upgrades_dir) as free:
        if not free:
            raise UpgradeError("another upgrade is running on this host: wait for it to finish")
        if not has_upgrade_table(engine):
            raise UpgradeError(
                f"the database (revision {schema_revision(engine)}) has no table for the "
                "record of upgrades yet: run poser db upgrade once, then poser upgrade run"
            )
        _mark_dead(session_factory, engine, upgrades_dir)
        revision_before = schema_revision(engine)
        with session_factory.begin() as session:
            upgrade = Upgrade(
                note=note.strip(), status="running", run_by=run_by[:200],
                host=socket.gethostname()[:200], pid=os.getpid(), command=plan.text(),
                revision_before=revision_before, migrations=[],
            )  # fmt: skip
            session.add(upgrade)
            session.flush()
            upgrade_id = upgrade.id
        folder = upgrade_folder(upgrades_dir, upgrade_id)
        make_private_folder(folder)
        write_snapshot(folder / BEFORE, installed_packages())

        try:
            exit_code, error = _run_steps(plan, folder)
        except KeyboardInterrupt:
            # Ctrl-C (the command got it too): recorded now, not at the next run.
            _mark_dead(session_factory, engine, upgrades_dir, STOPPED)
            raise
        write_snapshot(folder / AFTER, installed_packages())
        revision_after = schema_revision(engine)
        status = "succeeded" if exit_code == 0 else "failed"
        with session_factory.begin() as session:
            upgrade = session.get_one(Upgrade, upgrade_id)
            upgrade.status = status
            upgrade.exit_code = exit_code
            upgrade.error = error
            upgrade.revision_after = revision_after
            upgrade.migrations = migrations_between(revision_before, revision_after)
            upgrade.finished_at = utcnow()
        return upgrade


def _run_steps(plan: UpgradePlan, folder: Path) -> tuple[int | None, str | None]:
    """Run the command, then the migrations if it succeeded; output to the log files
    as it comes. The exit code of the step that ended it, and a message if it failed."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with _log(folder / STDOUT) as out, _log(folder / STDERR) as err:
        steps = [("the upgrade command", plan.command)]
        if plan.migrate:
            steps.append(("the migrations", plan.migrate))
        for what, argv in steps:
            out.write(f"$ {shlex.join(argv)}\n".encode())
            out.flush()
            try:
                # The ini's command (UpgradePlan), never a stored or posted one.
                code = subprocess.call(  # noqa: S603
                    argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env
                )
            except OSError as exc:
                return None, f"{what.capitalize()} could not start: {exc.strerror or exc}."
            if code != 0:
                return code, f"{what.capitalize()} failed with exit code {code}: see its output."
    return 0, None


@contextmanager
def _log(path: Path) -> Iterator[IO[bytes]]:
    with path.open("ab") as handle:
        path.chmod(FILE_MODE)
        yield handle
