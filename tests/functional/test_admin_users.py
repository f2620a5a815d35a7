"""Administration of users in the browser's forms (CSRF and all): create, change a
role, set a password, disable (the user is logged out at once) and enable; the rules
that keep an admin; every administration page is admins' only."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.db_management import alembic_config
from poser.models.orm import User
from poser.tasks.datasets import create_data_set
from tests.factories import PASSWORD, make_user
from tests.functional.conftest import CLIENT_ADDR, StrictTestApp, login

ADMIN_PAGES = ("/admin/users", "/admin/memberships", "/admin/info", "/admin/upgrades")


def _flash(page: Any) -> str:
    return " ".join(page.pyquery(".alert").text().split())


def _submit(page: Any, form_id: str, **fields: str) -> Any:
    form = page.forms[form_id]
    for name, value in fields.items():
        form[name] = value
    return form.submit("submit", status=303).follow()


def _user(dbsession: Session, name: str) -> User:
    dbsession.expire_all()
    return dbsession.scalars(select(User).where(User.username == name)).one()


def test_an_admin_creates_a_user_who_logs_in_at_once(testapp: Any, dbsession: Session) -> None:
    make_user(dbsession, "ada", role="admin")
    login(testapp, "ada")
    page = testapp.get("/admin/users")
    created = _submit(page, "user-create", username="Tina", password="a long password")
    assert "tina can log in now, as operator." in _flash(created)
    assert created.request.path == f"/admin/users/{_user(dbsession, 'tina').id}"
    assert created.pyquery("[data-testid=user-state]").text() == "Yes"

    refused = _submit(
        created.click("Users", index=1), "user-create", username="tina", password="x" * 20
    )
    assert "A user named 'tina' already exists." in _flash(refused)
    short = _submit(refused, "user-create", username="tom", password="short")
    assert "password" in _flash(short).lower()
    assert _user(dbsession, "tina").role == "operator"

    other = StrictTestApp(testapp.app, extra_environ={"REMOTE_ADDR": "203.0.113.77"})
    assert login(other, "tina", "a long password").status_int == 303
    listed = testapp.get("/admin/users").pyquery("[data-testid=users-table]").text()
    assert "tina" in listed


def test_disabling_a_user_logs_them_out_at_once(testapp: Any, dbsession: Session) -> None:
    make_user(dbsession, "ada", role="admin")
    olga = make_user(dbsession, "olga")
    operator = StrictTestApp(testapp.app, extra_environ={"REMOTE_ADDR": "203.0.113.78"})
    login(operator, "olga")
    operator.get("/jobs")  # logged in

    login(testapp, "ada")
    page = testapp.get(f"/admin/users/{olga.id}")
    done = _submit(page, "user-disable")
    assert "olga is disabled and logged out everywhere." in _flash(done)
    assert done.pyquery("[data-testid=user-state]").text() == "No: disabled"

    assert operator.get("/jobs", status=303).location.split("?")[0].endswith("/login")
    assert login(operator, "olga").status_int == 303  # refused: the form again
    operator.get("/jobs", status=303)
    assert "users-table" in testapp.get("/admin/users").text  # the admin goes on

    enabled = _submit(done, "user-enable")
    assert "olga can log in again." in _flash(enabled)
    login(operator, "olga")
    operator.get("/jobs")


def test_roles_and_passwords(testapp: Any, dbsession: Session) -> None:
    ada = make_user(dbsession, "ada", role="admin")
    olga = make_user(dbsession, "olga")
    operator = StrictTestApp(testapp.app, extra_environ={"REMOTE_ADDR": "203.0.113.79"})
    login(operator, "olga")
    operator.get("/admin/users", status=403)

    login(testapp, "ada")
    page = testapp.get(f"/admin/users/{olga.id}")
    promoted = _submit(page, "user-role", role="admin")
    assert "olga is now an admin." in _flash(promoted)
    operator.get("/admin/users")  # the new role holds at their next request

    reset = _submit(promoted, "user-password", password="another long password")
    assert "New password set for olga" in _flash(reset)
    operator.get("/admin/users", status=303)  # their session ended
    assert login(operator, "olga", "another long password").status_int == 303
    operator.get("/admin/users")

    # Olga demotes Ada; no one takes their own admin role or account away.
    mine = operator.get(f"/admin/users/{ada.id}")
    assert "ada is now an operator." in _flash(_submit(mine, "user-role", role="operator"))
    own = operator.get(f"/admin/users/{olga.id}")
    assert "(you)" in own.pyquery("h1").text()
    refused = _submit(own, "user-role", role="operator")
    assert "You cannot take away your own admin role" in _flash(refused)
    refused = _submit(refused, "user-disable")
    assert "You cannot disable your own account" in _flash(refused)
    assert _user(dbsession, "olga").role == "admin"

    # Her own new password keeps her logged in, on the new credentials.
    kept = _submit(refused, "user-password", password="a third long password")
    assert "New password set for olga" in _flash(kept)
    operator.get("/admin/users")


def test_memberships_across_the_site(testapp: Any, dbsession: Session) -> None:
    make_user(dbsession, "ada", role="admin")
    petra = make_user(dbsession, "petra")
    create_data_set(dbsession, "Corner Shop", "products", petra)
    create_data_set(dbsession, "Annex", "products", petra)
    dbsession.commit()
    login(testapp, "ada")
    page = testapp.get("/admin/memberships")
    rows = [
        " ".join(r.text().split())
        for r in page.pyquery("[data-testid=memberships-table] tbody tr").items()
    ]
    assert rows == ["Annex Products petra (owner)", "Corner Shop Products petra (owner)"]
    detail = testapp.get(f"/admin/users/{petra.id}")
    assert "Corner Shop" in detail.pyquery("[data-testid=user-memberships]").text()


def test_an_admin_gives_and_takes_access_to_a_data_set(testapp: Any, dbsession: Session) -> None:
    make_user(dbsession, "ada", role="admin")
    petra = make_user(dbsession, "petra")
    olga = make_user(dbsession, "olga")
    shop = create_data_set(dbsession, "Corner Shop", "products", petra)
    dbsession.commit()
    login(testapp, "ada")

    page = testapp.get(f"/admin/users/{olga.id}")
    given = _submit(page, "user-membership", data_set=str(shop.id), role="editor")
    assert "olga is now an editor of Corner Shop." in _flash(given)
    assert "Corner Shop Editor" in " ".join(
        given.pyquery("[data-testid=user-memberships]").text().split()
    )
    taken = _submit(given, "user-membership", data_set=str(shop.id), role="none")
    assert "olga has no access to Corner Shop now." in _flash(taken)
    assert "A member of no data set." in taken.text

    owner = testapp.get(f"/admin/users/{petra.id}")
    refused = _submit(owner, "user-membership", data_set=str(shop.id), role="viewer")
    assert "A data set needs at least one owner." in _flash(refused)
    unchosen = _submit(refused, "user-membership", data_set="", role="viewer")
    assert "Choose a data set." in unchosen.text


def test_the_site_page_says_how_the_site_stands(
    testapp: Any, dbsession: Session, settings: dict[str, Any]
) -> None:
    from pathlib import Path

    make_user(dbsession, "ada", role="admin")
    login(testapp, "ada")
    log = Path(settings["poser.appdir"]) / "log" / "poser.log"
    log.write_text(
        "2026-12-06 10:00:00,000 INFO  [poser.x:1][main] fine\n"
        "2026-12-06 10:01:00,000 ERROR [poser.tasks.jobs:9][worker] job 7 failed\n"
        "Traceback (most recent call last):\n  ValueError: bad\n"
        "2026-12-06 10:02:00,000 INFO  [poser.x:1][main] fine again\n"
    )
    try:
        page = testapp.get("/admin/info")
    finally:
        log.unlink()
    facts = page.pyquery("[data-testid=site-facts]").text()
    (head,) = ScriptDirectory.from_config(alembic_config({})).get_heads()
    assert f"schema revision {head}" in facts
    assert "free of" in facts
    assert "waiting" in page.pyquery("[data-testid=site-queue]").text()
    errors = page.pyquery("[data-testid=site-errors]").text()
    assert "job 7 failed" in errors
    assert "ValueError: bad" in errors
    assert "fine" not in errors
    assert "The scheduler has run nothing yet." in page.text
    assert "none scheduled" in page.pyquery("[data-testid=site-backups]").text()
    assert (
        "No errors" in testapp.get("/admin/info").text
        or "writes no log" in testapp.get("/admin/info").text
    )


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_administration_is_admins_only(testapp: Any, dbsession: Session, path: str) -> None:
    assert testapp.get(path, status=303).location.split("?")[0].endswith("/login")
    make_user(dbsession, "olga")
    login(testapp, "olga")
    testapp.get(path, status=403)


def test_posts_without_a_token_or_by_an_operator_change_nothing(
    testapp: Any, dbsession: Session
) -> None:
    make_user(dbsession, "ada", role="admin")
    olga = make_user(dbsession, "olga")
    login(testapp, "olga")
    token = testapp.get("/jobs").pyquery("input[name=csrf_token]").attr("value")
    testapp.post(f"/admin/users/{olga.id}/role", {"role": "admin", "csrf_token": token}, status=403)
    testapp.post("/admin/users/create", {"username": "x1", "password": "y" * 20}, status=403)

    admin = StrictTestApp(testapp.app, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})
    login(admin, "ada")
    admin.post(f"/admin/users/{olga.id}/role", {"role": "admin"}, status=400)  # no token
    token = admin.get("/jobs").pyquery("input[name=csrf_token]").attr("value")
    admin.post("/admin/users/999999/role", {"role": "admin", "csrf_token": token}, status=404)
    assert _user(dbsession, "olga").role == "operator"
    assert login(StrictTestApp(testapp.app), "olga", PASSWORD).status_int == 303
