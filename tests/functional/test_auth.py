from __future__ import annotations

from datetime import datetime

import pytest
import webtest
from sqlalchemy.orm import Session

import poser.tasks.users
from poser.utils.timeutil import utcnow
from tests.factories import make_user
from tests.functional.conftest import CLIENT_ADDR, StrictTestApp, login
from tests.functional.form_support import alerts, field_error, refused, reload_shows_no_message

ATTACKER_ADDR = "198.51.100.66"


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Every login happens at the same instant: the waits the tests expect do not
    depend on how fast the machine is."""
    now = utcnow()
    monkeypatch.setattr(poser.tasks.users, "utcnow", lambda: now)
    return now


def _session_cookie(app: webtest.TestApp) -> str | None:
    return app.cookies.get("poser_session")


def test_anonymous_visitors_are_sent_to_the_login_page(testapp: webtest.TestApp) -> None:
    response = testapp.get("/", status=303)
    assert response.location.endswith("/login?next=%2F")
    # Sent from a page, the login page says why; opened itself, it has nothing to say.
    sent = testapp.get("/jobs", status=303).follow()
    assert sent.pyquery("[data-testid=login-why]").text() == "Log in to see that page."
    assert not testapp.get("/login").pyquery("[data-testid=login-why]")


def test_the_login_form_carries_a_csrf_token(testapp: webtest.TestApp) -> None:
    page = testapp.get("/login")
    token = page.forms["deform"]["csrf_token"].value
    assert len(token) >= 32


def test_logging_in_shows_the_home_page(testapp: webtest.TestApp, dbsession: Session) -> None:
    make_user(dbsession, "olga")
    response = login(testapp, "Olga")
    assert response.status_int == 303
    home = response.follow()
    assert "Welcome, olga." in home.text
    assert home.pyquery('[data-testid="current-user"]').text() == "olga"


def test_a_wrong_password_says_so_on_the_login_page(
    testapp: webtest.TestApp, dbsession: Session
) -> None:
    make_user(dbsession, "pat")
    page = refused(login(testapp, "pat", "not the password", next="/jobs"), "/login")
    assert alerts(page) == "Wrong username or password."
    form = page.forms["deform"]
    assert form["username"].value == "pat"
    assert form["password"].value == ""  # a password is never kept, nor shown
    assert form["next"].value == "/jobs"
    assert "not the password" not in page.text
    reload_shows_no_message(testapp, page)
    form["password"] = "correct horse battery"
    assert form.submit("submit", status=303).location == "http://localhost/jobs"


def test_an_empty_form_shows_each_field_its_error(testapp: webtest.TestApp) -> None:
    form = testapp.get("/login").forms["deform"]
    page = refused(form.submit("submit", status=303), "/login")
    assert field_error(page, "username") == "Required"
    assert field_error(page, "password") == "Required"
    assert not alerts(page)


def test_a_post_without_the_csrf_token_is_refused(
    testapp: webtest.TestApp, dbsession: Session
) -> None:
    make_user(dbsession, "quin")
    testapp.get("/login")
    response = testapp.post(
        "/login", {"username": "quin", "password": "correct horse battery"}, status=400
    )
    assert "Form expired" in response.text
    testapp.get("/", status=303)  # still logged out


def test_login_renews_the_session_and_rotates_the_csrf_token(
    testapp: webtest.TestApp, dbsession: Session
) -> None:
    make_user(dbsession, "rita")
    page = testapp.get("/login")
    cookie_before = _session_cookie(testapp)
    token_before = page.forms["deform"]["csrf_token"].value
    assert cookie_before
    login(testapp, "rita")
    assert _session_cookie(testapp) != cookie_before

    # Replaying the old session id must not give the logged-in session (fixation).
    attacker = StrictTestApp(testapp.app)
    attacker.set_cookie("poser_session", cookie_before)
    attacker.get("/", status=303)

    home = testapp.get("/")
    token_after = home.forms[0]["csrf_token"].value
    assert token_after != token_before


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_is_followed_only_within_the_site(
    testapp: webtest.TestApp, dbsession: Session, target: str
) -> None:
    make_user(dbsession, "sam")
    response = login(testapp, "sam", next=target)
    assert response.status_int == 303
    assert response.location == "http://localhost/"


def test_next_within_the_site_is_followed(testapp: webtest.TestApp, dbsession: Session) -> None:
    make_user(dbsession, "tess", role="admin")
    first = testapp.get("/sample/admin", status=303)
    login_page = first.follow()
    form = login_page.forms["deform"]
    assert form["next"].value == "/sample/admin"
    form["username"] = "tess"
    form["password"] = "correct horse battery"
    response = form.submit("submit", status=303)
    assert response.location == "http://localhost/sample/admin"
    assert response.follow().json == {"ok": "admin area"}


def test_repeated_failures_are_slowed_down(
    testapp: webtest.TestApp, dbsession: Session, frozen_now: datetime
) -> None:
    make_user(dbsession, "uma")
    for _ in range(5):
        assert login(testapp, "uma", "guess again").status_int == 303
    # Even the right password waits, from there: the form is shown again in the
    # response itself, whose 429 and Retry-After are for any client.
    response = login(testapp, "uma")
    assert response.status_int == 429
    assert response.headers["Retry-After"] == "1"
    assert alerts(response) == "Too many failed attempts. Wait 1 second and try again."
    assert response.forms["deform"]["username"].value == "uma"
    assert response.forms["deform"]["password"].value == ""


def test_failures_from_elsewhere_do_not_keep_the_owner_out(
    testapp: webtest.TestApp, dbsession: Session, frozen_now: datetime
) -> None:
    make_user(dbsession, "admin", role="admin")
    attacker = StrictTestApp(testapp.app, extra_environ={"REMOTE_ADDR": ATTACKER_ADDR})
    for _ in range(8):
        login(attacker, "admin", "guess again")
    assert login(attacker, "admin", "guess again").status_int == 429
    assert login(attacker, "admin").status_int == 429

    owner = login(testapp, "admin")  # from the owner's own address
    assert owner.status_int == 303, owner.text
    assert testapp.extra_environ["REMOTE_ADDR"] == CLIENT_ADDR
    assert "Welcome, admin." in owner.follow().text


def test_logout_needs_a_post_with_the_token(testapp: webtest.TestApp, dbsession: Session) -> None:
    make_user(dbsession, "vic")
    login(testapp, "vic")
    testapp.get("/logout", status=404)
    testapp.post("/logout", status=400)
    home = testapp.get("/")
    response = home.forms[0].submit(status=303)
    assert response.location.endswith("/login")
    assert "You are logged out." in response.follow().text
    testapp.get("/", status=303)


def test_session_cookie_flags(testapp: webtest.TestApp, dbsession: Session) -> None:
    make_user(dbsession, "wes")
    response = login(testapp, "wes")
    cookie = next(v for k, v in response.headerlist if k == "Set-Cookie")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development over plain http
