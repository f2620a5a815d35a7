from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import webtest
from sqlalchemy.orm import Session, sessionmaker

import poser
from tests.factories import PASSWORD

CLIENT_ADDR = "203.0.113.7"


def build_app(base_settings: dict[str, Any], **overrides: Any) -> Any:
    return poser.main({"here": base_settings["poser.appdir"]}, **{**base_settings, **overrides})


@pytest.fixture(scope="session")
def wsgi_app(base_settings: dict[str, Any], engine: Any) -> Any:
    return build_app(base_settings)


@pytest.fixture
def testapp(
    wsgi_app: Any, session_factory: sessionmaker[Session], clean_environ: None
) -> Iterator[webtest.TestApp]:
    yield webtest.TestApp(wsgi_app, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})


def login(app: webtest.TestApp, username: str, password: str = PASSWORD, next: str = "") -> Any:
    """Log in through the real form (CSRF token and all)."""
    page = app.get("/login", params={"next": next} if next else {})
    form = page.forms["deform"]
    form["username"] = username
    form["password"] = password
    return form.submit("submit", expect_errors=True)
