"""How a request gets the database's write lock while another writer (a job) has it.

On SQLite a request waits for the lock at its first write, and runs again taking the
lock at BEGIN when its reads were out of date; a request that does not write never
waits (cancelling a running job, say); a request refused the lock after waiting as
long as allowed is told the database is busy, and is not run again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
import webtest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from poser.models.data_extraction.parameters import stored_parameters
from poser.models.engine import IMMEDIATE
from poser.models.orm import DataSet, Job
from poser.tasks.datasets import create_data_set
from poser.tasks.generate import generate_products
from tests.factories import PASSWORD, make_user
from tests.functional.conftest import CLIENT_ADDR, StrictTestApp, login

INCLUDES = "tests.sample_app tests.sample_workflow tests.sample_writes"


@pytest.fixture
def store(dbsession: Session) -> DataSet:
    owner = make_user(dbsession, "petra")
    data_set = create_data_set(dbsession, "Corner Shop", "products", owner)
    generate_products(data_set, products=20, seed=7)
    dbsession.commit()
    return data_set


@pytest.fixture
def open_app(
    make_app: Callable[..., Any], session_factory: Any, clean_environ: None, empty_queue: None
) -> Callable[[int], webtest.TestApp]:
    """The app, logged in as petra, whose requests wait ``busy_ms`` for the write lock."""

    def open_with(busy_ms: int) -> webtest.TestApp:
        wsgi = make_app(**{"poser.sqlite.busy_timeout_ms": busy_ms, "poser.includes": INCLUDES})
        app = StrictTestApp(wsgi, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})
        assert login(app, "petra").status_int == 303
        return app

    return open_with


@contextmanager
def a_job_writing(engine: Engine, seconds: float) -> Iterator[None]:
    """Another writer (a job, say) takes the write lock, keeps it a while, then commits."""
    taken = threading.Event()

    def write() -> None:
        with engine.connect() as job, job.execution_options(**IMMEDIATE).begin():
            job.execute(text("UPDATE product SET brand = 'Applied'"))
            taken.set()
            time.sleep(seconds)

    thread = threading.Thread(target=write)
    thread.start()
    assert taken.wait(30), "the job took the lock"
    try:
        yield
    finally:
        thread.join(60)


def _margins_form(app: webtest.TestApp, store: DataSet) -> webtest.forms.Form:
    page = app.get(f"/apps/products/data-sets/{store.id}/steps/margins")
    return page.forms["parameters-pricing"]


def _target(dbsession: Session, store: DataSet) -> Any:
    dbsession.expire_all()
    value = stored_parameters(dbsession, store.id).get("target_margin")
    dbsession.rollback()
    return value


def _brands(dbsession: Session) -> set[str]:
    brands = set(dbsession.execute(text("SELECT DISTINCT brand FROM product")).scalars())
    dbsession.rollback()
    return brands


def test_a_save_during_a_job_waits_for_the_lock_and_is_saved(
    open_app: Callable[[int], webtest.TestApp],
    store: DataSet,
    engine: Engine,
    dbsession: Session,
) -> None:
    app = open_app(60_000)
    form = _margins_form(app, store)
    form["target_margin"] = "35"
    with a_job_writing(engine, seconds=2):
        saved = form.submit("save", status=303)
    assert "Saved." in saved.follow().text
    assert Decimal(str(_target(dbsession, store))) == Decimal("35")
    assert _brands(dbsession) == {"Applied"}, "the job's own write committed too"


def test_a_save_that_has_read_is_not_refused_when_another_writer_commits_meanwhile(
    open_app: Callable[[int], webtest.TestApp],
    store: DataSet,
    engine: Engine,
    dbsession: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A transaction that began deferred and has read is refused its first write once
    another connection has committed: the save runs again, taking the lock at BEGIN."""
    app = open_app(60_000)
    app_engine = app.app.registry["poser.engine"]
    form = _margins_form(app, store)
    form["target_margin"] = "36"
    writers: list[threading.Thread] = []
    first_read = threading.Event()  # set when a transaction of the save's begins

    def begun(conn: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            first_read.set()

    def another_commit(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        mine = threading.current_thread() is threading.main_thread()
        if mine and first_read.is_set() and statement.lstrip().upper().startswith("SELECT"):
            # Right after the save's first read, another writer commits if it can.
            first_read.clear()
            writer = threading.Thread(target=_commit_a_brand, args=(engine,))
            writers.append(writer)
            writer.start()
            writer.join(1)

    event.listen(app_engine, "begin", begun)
    event.listen(app_engine, "after_cursor_execute", another_commit)
    try:
        with caplog.at_level(logging.DEBUG, logger="poser.apps.site.errors"):
            form.submit("save", status=303)
    finally:
        event.remove(app_engine, "after_cursor_execute", another_commit)
        event.remove(app_engine, "begin", begun)
        for writer in writers:
            writer.join(60)
    assert Decimal(str(_target(dbsession, store))) == Decimal("36")
    assert _brands(dbsession) == {"Committed meanwhile"}
    # Refused once and run again (SQLite): nothing a log reader must look at.
    busy = [r.levelname for r in caplog.records if "busy" in r.getMessage()]
    assert busy == (["DEBUG"] if engine.dialect.name == "sqlite" else [])


def _commit_a_brand(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE product SET brand = 'Committed meanwhile'"))


def test_pages_and_progress_never_wait_for_the_write_lock(
    open_app: Callable[[int], webtest.TestApp], store: DataSet, engine: Engine
) -> None:
    app = open_app(1_000)
    job_page = app.get(f"/sample/data-sets/{store.id}/start")
    started = job_page.forms[0].submit(status=303)
    with engine.connect() as job, job.execution_options(**IMMEDIATE).begin():
        job.execute(text("UPDATE product SET brand = 'Applied'"))
        page = app.get(f"/apps/products/data-sets/{store.id}/steps/catalog", status=200)
        progress = app.get(started.location + "/progress", headers={"HX-Request": "true"})
    assert page.pyquery("[data-widget=products] tbody tr[data-key]")
    assert progress.status_int == 200


def test_a_save_refused_the_lock_after_waiting_is_told_to_wait_and_not_run_again(
    open_app: Callable[[int], webtest.TestApp],
    store: DataSet,
    engine: Engine,
    dbsession: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single-writer lock only")
    app = open_app(300)
    app_engine = app.app.registry["poser.engine"]
    form = _margins_form(app, store)
    form["target_margin"] = "37"
    begins: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            begins.append(statement)

    event.listen(app_engine, "before_cursor_execute", count)
    try:
        with engine.connect() as job, job.execution_options(**IMMEDIATE).begin():
            job.execute(text("UPDATE product SET brand = 'Applied'"))
            with caplog.at_level(logging.DEBUG, logger="poser.apps.site.errors"):
                refused = form.submit("save", status=503)
    finally:
        event.remove(app_engine, "before_cursor_execute", count)
    assert "The database is busy" in refused.text
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1, "one 503, one warning, however many tries it took"
    assert warnings[0].endswith("answered 503")
    assert refused.headers["Retry-After"] == "5"
    assert len(begins) == 1, "it waited once, as long as allowed, and was not run again"
    assert _target(dbsession, store) is None, "nothing was saved"


def test_a_page_that_writes_when_read_is_run_again_and_waits_its_turn(
    open_app: Callable[[int], webtest.TestApp],
    store: DataSet,
    engine: Engine,
    dbsession: Session,
) -> None:
    app = open_app(60_000)
    with a_job_writing(engine, seconds=2):
        visit = app.get(f"/sample/visits/{store.id}", status=200)
    assert visit.json == {"visits": 1}
    assert _brands(dbsession) == {"Applied"}


def test_a_login_posted_by_a_logged_in_user_does_not_wait_for_its_own_request(
    open_app: Callable[[int], webtest.TestApp], store: DataSet
) -> None:
    """The login check writes in transactions of its own: nothing of the request may take
    the write lock before it (the identity, say), or it waits for itself until refused."""
    app = open_app(1_000)
    page = app.get(f"/apps/products/data-sets/{store.id}/steps/margins")
    token = page.forms["parameters-pricing"]["csrf_token"].value
    form = {"__formid__": "deform", "csrf_token": token, "username": "petra",
            "password": PASSWORD, "next": "", "submit": "submit"}  # fmt: skip
    assert app.post("/login", form, status=303).location.endswith("/")


def test_cancelling_a_running_job_does_not_wait_for_the_lock_the_job_holds(
    open_app: Callable[[int], webtest.TestApp],
    store: DataSet,
    engine: Engine,
    dbsession: Session,
) -> None:
    """Cancel of a running job writes only to the queue's store: it must answer while the
    job's task holds the write lock, or nobody could stop a long job."""
    job = Job(kind="sample.touch", data_set_id=store.id, status="running", parameters={})
    dbsession.add(job)
    dbsession.commit()
    app = open_app(300)  # past 0.3 s a request waiting for the lock would get a 503
    page = app.get(f"/jobs/{job.id}")
    cancel = next(form for form in page.forms.values() if form.action.endswith("/cancel"))
    with a_job_writing(engine, seconds=2):
        stopped = cancel.submit(status=303).follow()
    assert "Asked the job to stop." in stopped.text
