"""A site of its own for upgrade tests, with an ini file (the migrations step runs
`python -m poser -c <ini>`), and small scripts as the configured upgrade command."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from poser.models.db_management import alembic_config
from poser.models.engine import get_engine, get_session_factory
from poser.tasks.upgrades import UpgradePlan
from poser.utils.settings import load_settings
from tests.conftest import TEST_SECRET


def site_ini(folder: Path, revision: str = "head", **settings: str) -> Path:
    """An ini for an app dir in ``folder``, its SQLite database at ``revision``."""
    ini = folder / "site.ini"
    lines = ["[app:main]", "use = egg:poser", "poser.appdir = %(here)s/app"]
    lines += [f"session.secret = {TEST_SECRET}"]
    lines += [f"{key} = {value}" for key, value in settings.items()]
    ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "app" / "data").mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(load_settings(ini)), revision)
    return ini


@contextmanager
def site_database(ini: Path) -> Iterator[tuple[sessionmaker[Session], Engine, dict[str, Any]]]:
    settings = load_settings(ini)
    engine = get_engine(settings)
    try:
        yield get_session_factory(engine), engine, settings
    finally:
        engine.dispose()


def script_plan(ini: Path, script: str, migrate: bool = False) -> UpgradePlan:
    """A plan whose command runs ``script`` in this Python."""
    argv = [sys.executable, "-c", script]
    migrations = [sys.executable, "-m", "poser", "-c", str(ini), "db", "upgrade", "head"]
    return UpgradePlan(argv, migrations if migrate else None, "{python} -c <a test script>")
