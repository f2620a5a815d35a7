"""Sessions are saved when they change, their last access at most once a minute, and
they still expire after the timeout without a request."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import webtest
from sqlalchemy.orm import Session

from poser.entry_points import sessions
from tests.factories import make_user
from tests.functional.conftest import CLIENT_ADDR, login


class Clock:
    """time.time for beaker and the sessions module, moved by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(time, "time", fake)
    return fake


def _session_files(settings: dict[str, Any]) -> dict[Path, bytes]:
    folder = Path(settings["session.data_dir"])
    return {path: path.read_bytes() for path in folder.rglob("*.cache")}


def _logged_in(make_app: Any, dbsession: Session, **overrides: Any) -> webtest.TestApp:
    make_user(dbsession, "sam")
    dbsession.commit()
    app = webtest.TestApp(make_app(**overrides), extra_environ={"REMOTE_ADDR": CLIENT_ADDR})
    assert login(app, "sam").status_int == 303
    return app


def test_reading_an_unchanged_session_does_not_rewrite_it(
    make_app: Any, dbsession: Session, settings: dict[str, Any], clock: Clock
) -> None:
    app = _logged_in(make_app, dbsession)
    app.get("/", status=200)
    before = _session_files(settings)
    clock.now += 30
    app.get("/", status=200)
    assert _session_files(settings) == before


def test_an_unchanged_session_is_saved_again_after_a_minute(
    make_app: Any, dbsession: Session, settings: dict[str, Any], clock: Clock
) -> None:
    app = _logged_in(make_app, dbsession)
    app.get("/", status=200)
    before = _session_files(settings)
    clock.now += sessions.ACCESS_REFRESH_SECONDS + 1
    app.get("/", status=200)
    after = _session_files(settings)
    assert after.keys() >= before.keys()
    assert any(after[path] != data for path, data in before.items())


def test_requests_keep_a_session_alive_past_its_timeout_and_idleness_ends_it(
    make_app: Any, dbsession: Session, clock: Clock
) -> None:
    # A 10-minute timeout: the access time is saved once a minute at most.
    app = _logged_in(make_app, dbsession, **{"poser.session_timeout": "600"})
    for _ in range(15):  # 15 minutes of a request every 59 s
        clock.now += 59
        app.get("/", status=200)
    clock.now += 601
    response = app.get("/", status=303)
    assert "/login" in response.location
