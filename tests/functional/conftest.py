from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import webtest
from sqlalchemy.orm import Session, sessionmaker

import poser
from poser.entry_points.queues import make_queue
from poser.models.orm import DataSet
from poser.tasks.datasets import create_data_set
from poser.tasks.generate import generate_products
from tests.factories import PASSWORD, make_user
from tests.functional.catalog_pages import corner_shop, run_queued_jobs

CLIENT_ADDR = "203.0.113.7"


class StrictTestApp(webtest.TestApp):
    """A test client whose requests expect 200 unless they name their status.

    webtest's own accepts any 2xx or 3xx, so a page that sent the test to the login
    page passed as if it had been shown: here a redirect is a status a test asks for
    (``status=303``), as is an error (``status=404``, or ``expect_errors=True``).
    """

    def do_request(self, req: Any, status: Any = None, expect_errors: Any = None) -> Any:
        if status is None and not expect_errors:
            status = 200
        return super().do_request(req, status=status, expect_errors=expect_errors)


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
) -> StrictTestApp:
    return StrictTestApp(wsgi_app, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})


def login(app: webtest.TestApp, username: str, password: str = PASSWORD, next: str = "") -> Any:
    """Log in through the real form (CSRF token and all)."""
    page = app.get("/login", params={"next": next} if next else {})
    form = page.forms["deform"]
    form["username"] = username
    form["password"] = password
    return form.submit("submit", expect_errors=True)


# -- every route, in every role (test_authorization.py, test_bad_input.py) ----------------
# People and their logged-in clients are made once per module: a password hash takes
# most of a second. See route_support.py.


@pytest.fixture(scope="module")
def shipped_app(base_settings: dict[str, Any], engine: Any) -> Iterator[Any]:
    from tests.functional.route_support import shipped_app

    app = shipped_app(base_settings)
    yield app
    dispose(app)


@pytest.fixture(scope="module")
def people_by_role(engine: Any, settings: dict[str, Any]) -> Iterator[dict[str, Any]]:
    from tests.functional.route_support import clean_up, make_people

    yield make_people(engine)
    clean_up(engine, settings)


@pytest.fixture(scope="module")
def clients(shipped_app: Any, people_by_role: dict[str, Any]) -> dict[str, Any]:
    from tests.functional.route_support import make_clients

    return make_clients(shipped_app)


@pytest.fixture
def world(
    engine: Any,
    people_by_role: dict[str, Any],
    settings: dict[str, Any],
    tmp_path: Any,
    clients: dict[str, Any],
    shipped_app: Any,
) -> Iterator[Any]:
    from tests.functional.route_support import make_world

    yield from make_world(engine, people_by_role, settings, tmp_path, clients, shipped_app)


@pytest.fixture
def shop(dbsession: Session) -> dict[str, Any]:
    """The Corner Shop of `corner_shop`, committed: its data set, owner and catalog."""
    return corner_shop(dbsession)


@pytest.fixture
def store(dbsession: Session) -> DataSet:
    """A Products data set of 120 generated products, owned by petra, committed."""
    owner = make_user(dbsession, "petra")
    data_set = create_data_set(dbsession, "Corner Shop", "products", owner)
    generate_products(data_set, products=120, seed=7)
    dbsession.commit()
    return data_set


@pytest.fixture
def jobs_of(settings: dict[str, Any], session_factory: Any, tmp_path: Any) -> Any:
    """Run the queued jobs (and those they queue) with the real runner; their statuses."""
    return lambda: run_queued_jobs(settings, session_factory, tmp_path)
