from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import webtest
from sqlalchemy.orm import Session, sessionmaker

import poser
from poser.entry_points.queues import make_queue
from tests.factories import PASSWORD

CLIENT_ADDR = "203.0.113.7"


def build_app(base_settings: dict[str, Any], **overrides: Any) -> Any:
    """The WSGI app as pserve builds it. Call ``dispose(app)`` when done with it."""
    return poser.main({"here": base_settings["poser.appdir"]}, **{**base_settings, **overrides})


def dispose(app: Any) -> None:
    app.registry["poser.engine"].dispose()


@pytest.fixture
def make_app(base_settings: dict[str, Any], engine: Any) -> Iterator[Any]:
    """Build an app with some settings changed; its connections close after the test."""
    built: list[Any] = []

    def make(**overrides: Any) -> Any:
        built.append(build_app(base_settings, **overrides))
        return built[-1]

    yield make
    for app in built:
        dispose(app)


@pytest.fixture(scope="session")
def wsgi_app(base_settings: dict[str, Any], engine: Any) -> Iterator[Any]:
    app = build_app(base_settings)
    yield app
    dispose(app)


@pytest.fixture
def empty_queue(settings: dict[str, Any]) -> Iterator[None]:
    """The queue and its store are emptied after each test, as the database is."""
    yield
    make_queue(settings).huey.storage.flush_all()


@pytest.fixture
def testapp(
    wsgi_app: Any, session_factory: sessionmaker[Session], clean_environ: None, empty_queue: None
) -> webtest.TestApp:
    return webtest.TestApp(wsgi_app, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})


def login(app: webtest.TestApp, username: str, password: str = PASSWORD, next: str = "") -> Any:
    """Log in through the real form (CSRF token and all)."""
    page = app.get("/login", params={"next": next} if next else {})
    form = page.forms["deform"]
    form["username"] = username
    form["password"] = password
    return form.submit("submit", expect_errors=True)
