from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.factories import PASSWORD, make_user


def test_an_operator_logs_in_sees_home_and_logs_out(page: Any, dbsession: Session) -> None:
    make_user(dbsession, "greta")
    page.goto("/")
    assert "/login" in page.url

    page.fill("input[name=username]", "greta")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    page.wait_for_selector("h1:has-text('Applications')")
    assert page.inner_text("[data-testid=current-user]") == "greta"
    assert "Welcome, greta." in page.inner_text(".alert-success")
    assert page.locator(".card-title a").all_inner_texts() == [
        "Inventory counts",
        "Products",
        "Sample Catalog",
        "Sample Workflow",
        "Vendor catalogs",
    ]
    # The vendored scripts loaded under the strict CSP (a violation would fail the test).
    # They are deferred: the heading can be there before they have run.
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.htmx") == "object"

    page.click("text=Log out")
    page.wait_for_selector("text=You are logged out.")
    assert "/login" in page.url
    page.goto("/")
    assert "/login" in page.url


def test_a_wrong_password_shows_the_message(page: Any, dbsession: Session) -> None:
    make_user(dbsession, "hugo")
    page.goto("/login")
    page.fill("input[name=username]", "hugo")
    page.fill("input[name=password]", "not it at all")
    page.click("button[type=submit]")
    message = page.wait_for_selector("main > .alert-danger")
    assert message.inner_text() == "Wrong username or password."
    assert page.input_value("input[name=username]") == "hugo"
    assert page.input_value("input[name=password]") == ""
    # The message came with a GET: Reload asks nothing and shows the form, once more
    # without the message; Back is a GET page too (the login form before it).
    reloaded = page.reload()
    assert (reloaded.request.method, reloaded.status) == ("GET", 200)
    assert page.locator("main > .alert-danger").count() == 0
    back = page.go_back()
    assert back is None or (back.request.method, back.status) == ("GET", 200)
    assert page.url.endswith("/login")
    assert page.locator("input[name=password]").count() == 1
