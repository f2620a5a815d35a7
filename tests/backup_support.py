"""A site of its own for backup tests: an app dir with a SQLite database migrated to
head (whatever database the suite runs on), and a writer that commits rows in fixed
groups while a backup is taken."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import text

from poser.models.db_management import alembic_config
from poser.models.engine import get_engine
from poser.utils.appdir import make_appdir
from poser.utils.settings import prepare_settings
from tests.conftest import TEST_SECRET

GROUP = 50  # rows a writer's transaction commits together


def sqlite_site(folder: Path) -> dict[str, Any]:
    """Prepared settings of an app dir at ``folder``/app, its database at head."""
    appdir = folder / "app"
    make_appdir(appdir)
    settings = prepare_settings(
        {"poser.appdir": str(appdir), "session.secret": TEST_SECRET}, environ={}
    )
    command.upgrade(alembic_config(settings), "head")
    return settings


class Writer(threading.Thread):
    """Commits ``GROUP`` login_failure rows per transaction, and a file per
    transaction under data/uploads/, until stopped."""

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(daemon=True)
        self.settings = settings
        self.stop = threading.Event()
        self.committed = threading.Semaphore(0)
        self.transactions = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        engine = get_engine(self.settings)
        uploads = Path(self.settings["poser.appdir"]) / "data" / "uploads"
        insert = text(
            "INSERT INTO login_failure (username, address, at) VALUES (:u, '203.0.113.9', :at)"
        )
        try:
            while not self.stop.is_set():
                with engine.begin() as connection:
                    connection.execute(
                        insert,
                        [{"u": f"w{self.transactions}", "at": "2026-01-01 00:00:00"}] * GROUP,
                    )
                (uploads / f"w{self.transactions}.txt").write_text("x" * 1000)
                self.transactions += 1
                self.committed.release()
        except BaseException as exc:  # the test reports it
            self.error = exc
        finally:
            engine.dispose()

    def wait_for(self, transactions: int) -> None:
        for _ in range(transactions):
            assert self.committed.acquire(timeout=30), "the writer stopped writing"

    def finish(self) -> None:
        self.stop.set()
        self.join(30)
        assert self.error is None, self.error
