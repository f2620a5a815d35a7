"""Browser tests: Debian's Chromium driven by Playwright against a live waitress server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.accessibility import PageAudit, empty_screenshot_folder, screenshot_folder
from tests.browser.accessibility import _gone as page_gone
from tests.browser.support import running_worker
from tests.functional.conftest import build_app, dispose
from tests.operator_words import internal_keys_in
from tests.waitress_support import serve_in_thread
from tests.worker_support import WorkerProcess

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@contextmanager
def serving(base_settings: dict[str, Any], **overrides: Any) -> Iterator[str]:
    """The whole app (with ``overrides``) under waitress on a free port of 127.0.0.1."""
    app = build_app(base_settings, **overrides)
    try:
        with serve_in_thread(app, threads=4) as port:
            yield f"http://127.0.0.1:{port}"
    finally:
        dispose(app)


@pytest.fixture(scope="session")
def live_server(base_settings: dict[str, Any], engine: Any) -> Iterator[str]:
    with serving(base_settings) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    empty_screenshot_folder()  # one run's screenshots (accessibility.py)
    if not shutil.which("chromium"):
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@dataclass
class PageChecks(PageAudit):
    """axe-core's audit, and the page's visible text read for internal keys
    (tests/operator_words.py): operators read words, on every page a test visits."""

    keys_shown: list[str] = field(default_factory=list)

    def _check(self, label: str) -> None:
        super()._check(label)
        try:
            text = self.page.evaluate("document.body ? document.body.innerText : ''")
        except Exception as error:
            if page_gone(error):
                return
            raise
        found = internal_keys_in(text)
        if found:
            self.keys_shown.append(f"{self.page.url} shows {', '.join(found)}")


AUDIT = pytest.StashKey[PageChecks]()


@pytest.fixture
def page(
    browser: Any,
    live_server: str,
    session_factory: sessionmaker[Session],
    request: pytest.FixtureRequest,
) -> Iterator[Any]:
    """A fresh browser context per test.

    Script errors, CSP violations and sub-resources (scripts, styles, images) that fail
    to load fail the test; pages themselves may answer 4xx on purpose. Every page that
    loads, and the last one as the test leaves it, is checked with axe-core: a serious
    or critical violation fails the test (see accessibility.py); and so does an internal
    key in its visible text (PageChecks).
    """
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    problems: list[str] = []
    audit = PageChecks(page, request.node.name, screenshot_folder())
    request.node.stash[AUDIT] = audit
    audit.attach()

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            problems.append(f"CSP: {message.text}")

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{response.status} for {response.url}")

    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", on_console)
    page.on("response", on_response)
    yield page
    if not page.is_closed() and page.url.startswith(live_server):
        audit.check("last")
    context.close()
    assert problems == [], problems
    assert audit.violations == [], "accessibility:\n" + "\n".join(audit.violations)
    assert audit.keys_shown == [], "internal keys on pages:\n" + "\n".join(audit.keys_shown)


@pytest.fixture
def a11y(page: Any, request: pytest.FixtureRequest) -> PageChecks:
    """The page's checks: ``a11y.check()`` checks what htmx swapped in."""
    return request.node.stash[AUDIT]


@pytest.fixture
def worker(settings: dict[str, Any], tmp_path: Path, live_server: str) -> Iterator[WorkerProcess]:
    """A worker for the live server's jobs."""
    with running_worker(settings, tmp_path) as process:
        yield process
