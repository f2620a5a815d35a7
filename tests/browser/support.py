"""Steps that browser tests share: logging in through the form, saving a download, a
worker for the live server's jobs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.factories import PASSWORD
from tests.worker_support import WorkerProcess, write_ini


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form and wait for the applications page."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Applications')")


def downloaded(page: Any, selector: str, path: Path) -> Path:
    """Click ``selector``, which starts a download, and save the file at ``path``."""
    with page.expect_download() as download:
        page.click(selector)
    download.value.save_as(path)
    return path


@contextmanager
def running_worker(settings: dict[str, Any], folder: Path, **extra: str) -> Iterator[WorkerProcess]:
    """A worker process on the live server's database, files and queue (its ini, with
    ``extra`` settings, and its log in ``folder``), stopped afterwards."""
    keys = ("poser.appdir", "sqlalchemy.url", "session.secret", "poser.queue.name")
    ini = write_ini(folder, {**{k: settings[k] for k in keys}, **extra})
    process = WorkerProcess(ini, folder / "worker.log")
    try:
        yield process
    finally:
        process.stop()
