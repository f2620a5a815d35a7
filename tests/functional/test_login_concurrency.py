"""Logins that arrive at once, as real concurrent requests to the app under waitress:
none is refused for a busy database, and a burst of wrong passwords gets no more of
them checked than the policy allows."""

from __future__ import annotations

import http.client
import re
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import poser.tasks.users
from poser.models.orm import LoginFailure
from poser.utils.timeutil import utcnow
from tests.factories import PASSWORD, make_user
from tests.functional.conftest import build_app, dispose
from tests.waitress_support import serve_in_thread

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def serving(base_settings: dict[str, Any], threads: int) -> Iterator[tuple[str, int]]:
    """The whole app under waitress on a free port of 127.0.0.1; once the block ends,
    waitress stops (tests.waitress_support says in which order) before the app's
    database engine is disposed."""
    app = build_app(base_settings)
    try:
        with serve_in_thread(app, threads=threads) as port:
            yield "127.0.0.1", port
    finally:
        dispose(app)


class Browser:
    """One client: its session cookie and the login form's token, from a real GET."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.address = address
        _, headers, body = self._request("GET", "/login", {})
        self.cookie = headers.get("Set-Cookie", "").split(";")[0]
        found = TOKEN.search(body.decode())
        assert found, "the login page has no CSRF token"
        self.token = found.group(1)

    def _request(
        self, method: str, path: str, headers: dict[str, str], body: str = ""
    ) -> tuple[int, Any, bytes]:
        connection = http.client.HTTPConnection(*self.address, timeout=120)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def log_in(self, username: str, password: str) -> int:
        body = urlencode(
            {"csrf_token": self.token, "username": username, "password": password, "next": ""}
        )
        headers = {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"}
        status, _, _ = self._request("POST", "/login", headers, body)
        return status


def _at_once(browsers: list[Browser], attempt: Any) -> Counter[int]:
    start = threading.Barrier(len(browsers))

    def run(numbered: tuple[int, Browser]) -> int:
        start.wait()
        return attempt(*numbered)  # type: ignore[no-any-return]

    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        return Counter(pool.map(run, enumerate(browsers)))


def test_twenty_logins_at_once_all_get_in(
    base_settings: dict[str, Any], engine: Any, dbsession: Session
) -> None:
    for number in range(20):
        make_user(dbsession, f"clerk{number}")
    with serving(base_settings, threads=8) as address:
        browsers = [Browser(address) for _ in range(20)]
        statuses = _at_once(browsers, lambda n, browser: browser.log_in(f"clerk{n}", PASSWORD))
    assert statuses == Counter({303: 20})


def test_a_burst_of_wrong_passwords_gets_only_the_free_ones_checked(
    base_settings: dict[str, Any], engine: Any, dbsession: Session, monkeypatch: Any
) -> None:
    make_user(dbsession, "admin", role="admin")
    # The burst happens in one instant, however slow the machine: no wait runs out.
    now = utcnow()
    monkeypatch.setattr(poser.tasks.users, "utcnow", lambda: now)
    with serving(base_settings, threads=8) as address:
        browsers = [Browser(address) for _ in range(60)]
        statuses = _at_once(browsers, lambda n, browser: browser.log_in("admin", f"guess {n}"))
    # poser.login.free_failures is 5: five passwords checked (refused: a 303 back to the
    # login page), the rest told to wait (429).
    assert statuses == Counter({303: 5, 429: 55})
    dbsession.rollback()
    assert dbsession.scalar(select(func.count()).select_from(LoginFailure)) == 5
