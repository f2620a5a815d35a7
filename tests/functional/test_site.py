from __future__ import annotations

import gc
from typing import Any

import pytest
import webtest
from sqlalchemy.orm import Session

from tests.factories import make_data_set, make_user
from tests.functional.conftest import CLIENT_ADDR, StrictTestApp, login
from tests.unit.utils.tabular.builders import OneWayStream


def test_every_response_has_strict_security_headers(testapp: webtest.TestApp) -> None:
    for path, status in (("/login", 200), ("/nowhere", 404), ("/healthz", 200)):
        headers = testapp.get(path, status=status).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"


def test_pages_carry_no_inline_script_or_style(
    testapp: webtest.TestApp, dbsession: Session
) -> None:
    make_user(dbsession, "xan")
    pages = [testapp.get("/login")]
    login(testapp, "xan")
    pages += [testapp.get("/"), testapp.get("/missing", status=404)]
    for page in pages:
        for script in page.pyquery("script"):
            assert script.get("src"), "inline <script> would be blocked by the CSP"
        assert not page.pyquery("[style]"), "inline style attributes are blocked by the CSP"
        assert not page.pyquery("style")


def test_static_files_need_no_login(testapp: webtest.TestApp) -> None:
    css = testapp.get("/static/deform/css/bootstrap.min.css")
    assert css.content_type == "text/css"
    htmx = testapp.get("/static/poser/vendor/htmx/htmx.min.js")
    assert b"htmx" in htmx.body


def test_home_lists_the_applications_the_user_may_use(
    testapp: webtest.TestApp, dbsession: Session
) -> None:
    make_user(dbsession, "yara")
    make_user(dbsession, "zeno", role="admin")
    login(testapp, "yara")
    names = [a.text for a in testapp.get("/").pyquery(".card-title a")]
    assert names == [
        "Inventory counts",
        "Products",
        "Sample Catalog",
        "Sample Workflow",
        "Vendor catalogs",
    ]
    testapp.reset()
    login(testapp, "zeno")
    names = [a.text for a in testapp.get("/").pyquery(".card-title a")]
    assert names == [
        "Inventory counts",
        "Products",
        "Sample Admin Tool",
        "Sample Catalog",
        "Sample Workflow",
        "Vendor catalogs",
    ]


def test_home_without_applications_says_so(make_app: Any, dbsession: Session) -> None:
    app = StrictTestApp(
        make_app(**{"poser.includes": "", "poser.applications": ""}),
        extra_environ={"REMOTE_ADDR": CLIENT_ADDR},
    )
    make_user(dbsession, "dora", role="admin")
    login(app, "dora")
    home = app.get("/")
    assert home.pyquery('[data-testid="no-applications"]').text() == (
        "No Applications are available to you yet."
    )
    assert not home.pyquery(".card-title")


def test_production_cookies_are_secure_and_https_is_pinned(
    make_app: Any, dbsession: Session
) -> None:
    app = StrictTestApp(
        make_app(
            **{"poser.environment": "production", "session.secret": "p" * 48},
        ),
        # Over HTTPS Pyramid also checks that unsafe requests come from this origin.
        extra_environ={
            "REMOTE_ADDR": CLIENT_ADDR,
            "wsgi.url_scheme": "https",
            "HTTP_ORIGIN": "https://localhost",
        },
    )
    make_user(dbsession, "eve")
    response = login(app, "eve")
    assert response.status_int == 303
    cookie = next(v for k, v in response.headerlist if k == "Set-Cookie")
    assert "Secure" in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"

    # A cross-site POST with the right token still fails the origin check.
    token = app.get("/").forms[0]["csrf_token"].value
    app.post(
        "/logout",
        {"csrf_token": token},
        extra_environ={"HTTP_ORIGIN": "https://evil.example"},
        status=400,
    )


def test_views_without_their_permission_are_forbidden(
    testapp: webtest.TestApp, dbsession: Session
) -> None:
    make_user(dbsession, "abe")
    login(testapp, "abe")
    page = testapp.get("/sample/admin", status=403)
    assert "You do not have permission" in page.text


def test_data_sets_answer_404_to_non_members(testapp: webtest.TestApp, dbsession: Session) -> None:
    owner, viewer, outsider = (make_user(dbsession) for _ in range(3))
    data_set = make_data_set(dbsession, "North Store", members={owner: "owner", viewer: "viewer"})
    url = f"/sample/data-sets/{data_set.id}"

    login(testapp, outsider.username)
    testapp.get(url, status=404)
    testapp.get("/sample/data-sets/999999", status=404)

    testapp.reset()
    login(testapp, viewer.username)
    assert testapp.get(url).json == {"name": "North Store", "role": "viewer"}
    token = testapp.get("/").forms[0]["csrf_token"].value
    testapp.post(f"{url}/edit", {"csrf_token": token}, status=403)

    testapp.reset()
    login(testapp, owner.username)
    token = testapp.get("/").forms[0]["csrf_token"].value
    assert testapp.post(f"{url}/edit", {"csrf_token": token}).json == {"edited": data_set.id}
    testapp.post(f"{url}/edit", status=400)  # and never without the token


def test_not_found_is_a_friendly_page(testapp: webtest.TestApp) -> None:
    page = testapp.get("/no/such/page", status=404)
    assert "There is nothing at this address." in page.text


def test_a_server_error_is_friendly_and_shows_no_traceback(
    testapp: webtest.TestApp, dbsession: Session
) -> None:
    make_user(dbsession, "bea")
    login(testapp, "bea")
    page = testapp.get("/sample/boom", status=500)
    assert "Something went wrong" in page.text
    assert "Traceback" not in page.text
    assert "hunter2" not in page.text


def test_development_may_show_the_traceback(make_app: Any, dbsession: Session) -> None:
    app = StrictTestApp(
        make_app(**{"poser.show_tracebacks": "true"}),
        extra_environ={"REMOTE_ADDR": CLIENT_ADDR},
    )
    make_user(dbsession, "cal")
    login(app, "cal")
    page = app.get("/sample/boom", status=500)
    assert "Traceback" in page.text
    assert "RuntimeError" in page.text


def test_healthz_reports_the_database_without_login_or_secrets(
    testapp: webtest.TestApp, settings: dict[str, Any]
) -> None:
    response = testapp.get("/healthz")
    assert response.json["status"] == "ok"
    assert response.json["checks"]["database"] == {"ok": True}
    queue = response.json["checks"]["queue"]
    assert queue["ok"] is True
    assert queue["pending"] == 0
    assert "poser_session" not in testapp.cookies
    assert settings["sqlalchemy.url"] not in response.text


def test_healthz_says_503_when_the_database_is_unreachable(make_app: Any, tmp_path: Any) -> None:
    broken = f"sqlite:///{tmp_path / 'missing-folder' / 'db.sqlite'}"
    app = StrictTestApp(make_app(**{"sqlalchemy.url": broken}))
    response = app.get("/healthz", status=503)
    assert response.json["checks"]["database"] == {"ok": False, "error": "database unreachable"}
    assert "missing-folder" not in response.text


def test_healthz_says_503_when_the_queue_is_unreachable(make_app: Any) -> None:
    # Nothing listens on port 1: the Redis queue cannot be reached.
    app = StrictTestApp(make_app(**{"poser.queue.url": "redis://127.0.0.1:1/0"}))
    response = app.get("/healthz", status=503)
    assert response.json["checks"]["queue"] == {"ok": False, "error": "queue unreachable"}
    assert response.json["checks"]["database"] == {"ok": True}


def test_sqlite_lock_conflicts_are_marked_for_pyramid_retry(make_app: Any, engine: Any) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single-writer lock only")
    from pyramid_retry import IRetryableError
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from poser.models.engine import IMMEDIATE

    app = make_app()
    app_engine = app.registry["poser.engine"]
    with engine.connect() as holder, app_engine.connect() as reader:
        reader.execute(text("SELECT count(*) FROM user_account")).scalar()
        holding = holder.execution_options(**IMMEDIATE).begin()
        holder.exec_driver_sql("DELETE FROM login_failure")
        with pytest.raises(OperationalError) as refused:
            reader.execute(text("DELETE FROM login_failure"))
        holding.rollback()
    assert IRetryableError.providedBy(refused.value)


def test_a_login_refused_the_write_lock_after_waiting_is_told_to_wait(
    make_app: Any, engine: Any, dbsession: Session, clean_environ: None
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single-writer lock only")
    from poser.models.engine import IMMEDIATE

    # It waits for the lock this long (0.3 s), then gives up.
    app = make_app(**{"poser.sqlite.busy_timeout_ms": 300})
    testapp = StrictTestApp(app, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})
    make_user(dbsession, "fred")
    form = testapp.get("/login").forms["deform"]
    form["username"], form["password"] = "fred", "wrong password"
    with engine.connect() as holder:
        holding = holder.execution_options(**IMMEDIATE).begin()  # a long job, say
        response = form.submit("submit", status=503)
        holding.rollback()
    assert "The database is busy" in response.text
    assert response.headers["Retry-After"] == "5"
    # Once the lock is free the same form works (a wrong password: back to the form).
    form = testapp.get("/login").forms["deform"]
    form["username"], form["password"] = "fred", "wrong password"
    assert "Wrong username or password." in form.submit("submit", status=303).follow().text


def test_undecodable_query_strings_are_a_bad_request(testapp: webtest.TestApp) -> None:
    page = testapp.get("/login?next=%ff", status=400)
    assert "not valid text" in page.text


def test_a_large_body_copied_for_retries_is_closed_after_the_request(wsgi_app: Any) -> None:
    from webob import Request

    body = b"x=" + b"y" * 100_000  # over webob's limit: copied to a temporary file
    environ = Request.blank("/nowhere", method="POST", body=body).environ
    environ.pop("webob.is_body_seekable", None)
    received = environ["wsgi.input"] = OneWayStream(body)
    response = list(wsgi_app(environ, lambda status, headers, exc_info=None: None))
    assert response
    copy = environ["wsgi.input"]
    assert copy is not received
    assert copy.closed


def test_a_serving_process_leaves_its_startup_objects_out_of_collections(make_app: Any) -> None:
    assert gc.get_freeze_count() == 0
    try:
        make_app()
        assert gc.get_freeze_count() == 0, "off unless the ini turns it on"
        make_app(**{"poser.gc_freeze": "true"})
        # Everything that existed then: modules, classes, the router, the registry.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
    for name in ("development.ini", "production.ini"):
        with open(name, encoding="utf-8") as ini:
            assert "\nposer.gc_freeze = true\n" in ini.read(), name
