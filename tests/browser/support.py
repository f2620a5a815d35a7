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


#: How wide a grid's table is, and how wide its frame shows it.
_GRID_WIDTHS = """(selector) => {
  const frame = document.querySelector(selector + ' .grid-scroll');
  return [frame.scrollWidth, frame.clientWidth];
}"""


def grid_widths(page: Any, url: str, widget: str, widths: tuple[int, ...] = (1366, 1920)) -> dict:
    """{width: (the table's width, its frame's)} of the grid ``widget`` on ``url``, each
    in a window opened at that width with the page's session. A window resized in the
    middle of a test lays itself out again late on a loaded machine (CI measured a grid
    at 1,280 pixels after a resize to 1,366); one opened at its width cannot."""
    base = page.url.split("/", 3)
    session = page.context.storage_state()
    measured = {}
    for width in widths:
        window = page.context.browser.new_context(
            base_url="/".join(base[:3]),
            viewport={"width": width, "height": 900},
            storage_state=session,
        )
        try:
            sized = window.new_page()
            sized.goto(url)
            sized.wait_for_selector(f"{widget} .grid-scroll")
            sized.wait_for_load_state("load")  # the stylesheets are in
            measured[width] = tuple(sized.evaluate(_GRID_WIDTHS, widget))
        finally:
            window.close()
    return measured
