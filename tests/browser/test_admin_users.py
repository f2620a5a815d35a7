"""An admin manages people in the browser: creates an operator, who logs in at once;
disables them while they work, and their next page is the login page; reads the data
set members and this site's page. Every page is axe-checked at 1366 and 1920."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from poser.tasks.datasets import create_data_set
from tests.browser.support import log_in
from tests.factories import make_user


def test_an_admin_creates_and_disables_an_operator(
    page: Any, a11y: Any, browser: Any, live_server: str, dbsession: Session
) -> None:
    make_user(dbsession, "ada", role="admin")
    petra = make_user(dbsession, "petra")
    create_data_set(dbsession, "Corner Shop", "products", petra)
    dbsession.commit()

    log_in(page, "ada")
    page.click("nav >> text=Administration")
    page.wait_for_selector("[data-testid=users-table]")
    page.fill("[data-form=user-create] input[name=username]", "tina")
    page.fill("[data-form=user-create] input[name=password]", "a long password")
    page.click("[data-form=user-create] button[type=submit]")
    page.wait_for_selector("text=tina can log in now, as operator.")

    other = browser.new_context(base_url=live_server)
    tina = other.new_page()
    try:
        log_in(tina, "tina", "a long password")
        tina.goto("/jobs")
        assert tina.url.endswith("/jobs")

        page.click("[data-form=user-disable] button[type=submit]")
        page.wait_for_selector("text=tina is disabled and logged out everywhere.")
        assert page.inner_text("[data-testid=user-state]") == "No: disabled"
        a11y.check("disabled")

        tina.goto("/jobs")
        assert "/login" in tina.url  # logged out at once
    finally:
        other.close()

    page.click("nav[aria-label=Administration] >> text=Users")
    assert "Disabled" in page.inner_text("[data-testid=users-table]")
    page.click("nav[aria-label=Administration] >> text=Data set members")
    assert "petra (owner)" in page.inner_text("[data-testid=memberships-table]")
    page.click("nav[aria-label=Administration] >> text=This site")
    assert "schema revision" in page.inner_text("[data-testid=site-facts]")
