"""Sessions on each production backend (file, Redis, database): ending one deletes it
from its backend and its cookie, kept by an attacker, opens nothing; a new password or
disabling the user ends every session of theirs; sessions are saved when they change,
their last access at most once a minute, and they expire after the timeout."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import webtest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from poser.entry_points import sessions
from poser.entry_points.main import cli
from poser.models.orm import DataSet
from poser.tasks.datasets import create_data_set
from tests.factories import make_user
from tests.functional.conftest import CLIENT_ADDR, StrictTestApp, login
from tests.functional.session_backends import (
    BACKENDS,
    SessionBackend,
    dispose_beaker_engines,
    session_backend,
    session_id,
)
from tests.worker_support import write_ini

COOKIE = "poser_session"


@pytest.fixture(params=BACKENDS)
def backend(
    request: pytest.FixtureRequest, settings: dict[str, Any], engine: Engine
) -> Iterator[SessionBackend]:
    yield session_backend(request.param, settings, engine)
    dispose_beaker_engines()


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


@pytest.fixture
def poser_cli(tmp_path: Path, base_settings: dict[str, Any], clean_environ: None) -> Any:
    """Run `poser -c <the suite's settings> ARGS` with stdin; returns click's Result."""
    ini = str(write_ini(tmp_path, base_settings))

    def run(*args: str, stdin: str | None = None) -> Any:
        result = CliRunner().invoke(cli, ["-c", ini, *args], input=stdin)
        assert result.exit_code == 0, result.output
        return result

    return run


def _app(make_app: Any, backend: SessionBackend, **overrides: Any) -> webtest.TestApp:
    wsgi = make_app(**backend.settings, **overrides)
    return StrictTestApp(wsgi, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})


def _logged_in(
    make_app: Any, dbsession: Session, backend: SessionBackend, **overrides: Any
) -> webtest.TestApp:
    make_user(dbsession, "sam")
    app = _app(make_app, backend, **overrides)
    assert login(app, "sam").status_int == 303
    return app


def _stored(app: webtest.TestApp, backend: SessionBackend) -> bytes | None:
    return backend.stored(session_id(app.cookies[COOKIE]))


# Ending sessions, seen from the attacker's side: a cookie kept from before is replayed
# to a data set's page and, with the CSRF token that page gave, to its rename.


@pytest.fixture
def victim(dbsession: Session) -> DataSet:
    owner = make_user(dbsession, "sam")
    data_set = create_data_set(dbsession, "North Store", "workflow", owner)
    dbsession.commit()
    return data_set


def _settings_url(data_set: DataSet) -> str:
    return f"/apps/workflow/data-sets/{data_set.id}/settings"


def _open_settings(app: webtest.TestApp, data_set: DataSet) -> tuple[str, str]:
    """The victim's session cookie and the rename form's CSRF token, from a real page."""
    page = app.get(_settings_url(data_set), status=200)
    rename = next(f for f in page.forms.values() if f.action.endswith("/rename"))
    return app.cookies[COOKIE], rename["csrf_token"].value


def _replay_opens_nothing(
    app: webtest.TestApp, data_set: DataSet, cookie: str, token: str, dbsession: Session
) -> None:
    attacker = StrictTestApp(app.app, extra_environ={"REMOTE_ADDR": "198.51.100.66"})
    attacker.set_cookie(COOKIE, cookie)
    page = attacker.get(_settings_url(data_set), status=303)
    assert "/login" in page.location
    attacker.set_cookie(COOKIE, cookie)
    rename = attacker.post(
        f"/apps/workflow/data-sets/{data_set.id}/rename",
        {"csrf_token": token, "name": "Taken Over"},
        status=401,
    )
    assert "Please log in" in rename.text
    dbsession.expire_all()
    assert dbsession.get(DataSet, data_set.id).name == "North Store"  # type: ignore[union-attr]


def test_a_cookie_kept_from_before_logout_opens_nothing(
    make_app: Any, backend: SessionBackend, victim: DataSet, dbsession: Session
) -> None:
    app = _app(make_app, backend)
    login(app, "sam")
    cookie, token = _open_settings(app, victim)
    assert backend.stored(session_id(cookie)) is not None

    home = app.get("/")
    assert home.forms[0].action.endswith("/logout")
    assert "/login" in home.forms[0].submit(status=303).location

    assert backend.stored(session_id(cookie)) is None, "logout left the session stored"
    _replay_opens_nothing(app, victim, cookie, token, dbsession)


def test_a_new_password_ends_every_session_of_the_user(
    make_app: Any, backend: SessionBackend, victim: DataSet, dbsession: Session, poser_cli: Any
) -> None:
    app = _app(make_app, backend)
    login(app, "sam")
    cookie, token = _open_settings(app, victim)

    poser_cli("user", "password", "sam", stdin="a brand new password\n")

    _replay_opens_nothing(app, victim, cookie, token, dbsession)
    app.get(_settings_url(victim), status=303)  # the victim's own browser too
    assert login(app, "sam", "a brand new password").status_int == 303
    app.get(_settings_url(victim), status=200)


def test_disabling_a_user_ends_their_sessions_and_enabling_does_not_revive_them(
    make_app: Any, backend: SessionBackend, victim: DataSet, dbsession: Session, poser_cli: Any
) -> None:
    app = _app(make_app, backend)
    login(app, "sam")
    cookie, token = _open_settings(app, victim)

    assert "disabled sam" in poser_cli("user", "disable", "sam").output
    _replay_opens_nothing(app, victim, cookie, token, dbsession)
    app.reset()
    refused = login(app, "sam")
    assert refused.status_int == 303
    assert refused.location.endswith("/login")

    assert "enabled sam" in poser_cli("user", "enable", "sam").output
    _replay_opens_nothing(app, victim, cookie, token, dbsession)
    assert login(app, "sam").status_int == 303
    app.get(_settings_url(victim), status=200)


def test_logging_in_deletes_the_session_from_before(
    make_app: Any, backend: SessionBackend, dbsession: Session
) -> None:
    make_user(dbsession, "rita")
    app = _app(make_app, backend)
    app.get("/login")
    before = app.cookies[COOKIE]
    assert backend.stored(session_id(before)) is not None  # it holds the form's token
    login(app, "rita")
    assert session_id(app.cookies[COOKIE]) != session_id(before)
    assert backend.stored(session_id(before)) is None


# Saving: an unchanged session is not rewritten on every request.


def test_reading_an_unchanged_session_does_not_rewrite_it(
    make_app: Any, dbsession: Session, backend: SessionBackend, clock: Clock
) -> None:
    app = _logged_in(make_app, dbsession, backend)
    app.get("/", status=200)
    before = _stored(app, backend)
    assert before is not None
    clock.now += 30
    app.get("/", status=200)
    assert _stored(app, backend) == before


def test_an_unchanged_session_is_saved_again_after_a_minute(
    make_app: Any, dbsession: Session, backend: SessionBackend, clock: Clock
) -> None:
    app = _logged_in(make_app, dbsession, backend)
    app.get("/", status=200)
    before = _stored(app, backend)
    clock.now += sessions.ACCESS_REFRESH_SECONDS + 1
    app.get("/", status=200)
    after = _stored(app, backend)
    assert after is not None
    assert after != before


def test_requests_keep_a_session_alive_past_its_timeout_and_idleness_ends_it(
    make_app: Any, dbsession: Session, backend: SessionBackend, clock: Clock
) -> None:
    # A 10-minute timeout: the access time is saved once a minute at most.
    app = _logged_in(make_app, dbsession, backend, **{"poser.session_timeout": "600"})
    for _ in range(15):  # 15 minutes of a request every 59 s
        clock.now += 59
        app.get("/", status=200)
    idle = app.cookies[COOKIE]
    clock.now += 601
    response = app.get("/", status=303)
    assert "/login" in response.location
    assert backend.stored(session_id(idle)) is None, "the timed-out session stays stored"
