"""The catalog itself in Chromium, with a real worker: an operator starts an empty data
set from its guidance, adds a department with a target margin and a vendor whose new
items go there, adds a product and retires it, then uploads the vendor's catalog: its
new item is priced from the department's target, and one no margin prices waits under
Needs a price. Every page axe-checked, at 1366 and 1920 wide."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from tests.browser.accessibility import PageAudit
from tests.browser.support import log_in
from tests.catalog_support import UPC_BUTTER, UPC_NEW
from tests.factories import make_user
from tests.worker_support import WorkerProcess

JOB_TIMEOUT = 60_000  # ms: a bound on waiting for the worker, not a speed target
UPC_UNPRICED = "012000001291"
#: The vendor's file: a new item in no department (its vendor's default applies), and
#: one in a department without a target margin (nothing prices it).
CATALOG = (
    "UPC,Vendor Item #,Description,Pack,Case Cost,Department\n"
    f"{UPC_NEW},A-400,Oat milk,2,5.00,\n"
    f"{UPC_UNPRICED},A-401,Candles,4,6.00,Seasonal\n"
)


def _step(page: Any, name: str) -> None:
    page.click(f"[data-testid=step-list] a:text-is('{name}')")
    page.wait_for_selector(f"h1:has-text('{name}')")


def _submit(page: Any, form: str, button: str) -> None:
    with page.expect_navigation():
        page.click(f"[data-form=form-{form}] button:has-text('{button}')")


def _success(page: Any) -> str:
    return page.inner_text("main > .alert-success")


def test_an_operator_builds_the_catalog_and_a_new_item_is_priced_from_its_target(
    page: Any, a11y: PageAudit, dbsession: Session, worker: WorkerProcess, tmp_path: Path
) -> None:
    make_user(dbsession, "olga")
    dbsession.commit()
    log_in(page, "olga")
    page.goto("/apps/products")
    page.fill("[data-form=empty] input[name=name]", "New shop")
    with page.expect_navigation():
        page.click("[data-form=empty] button")
    start = page.locator("[data-testid=start-here]")
    expect(start).to_contain_text("This data set is empty: how to start")
    a11y.check("empty data set")

    # A department with the margin it aims for.
    start.locator("a:text-is('Add departments')").click()
    page.wait_for_selector("h1:has-text('Departments')")
    page.fill("[data-form=form-add-department] input[name=number]", "1")
    page.fill("[data-form=form-add-department] input[name=name]", "Grocery")
    page.fill("[data-form=form-add-department] input[name=target_margin]", "30")
    _submit(page, "add-department", "Add the department")
    assert "Department 1 “Grocery” is added." in _success(page)
    page.fill("[data-form=form-add-department] input[name=number]", "2")
    page.fill("[data-form=form-add-department] input[name=name]", "Seasonal")
    _submit(page, "add-department", "Add the department")  # no target margin
    a11y.check("departments")

    # A vendor whose new items go to it.
    _step(page, "Vendors")
    page.fill("[data-form=form-add-vendor] input[name=code]", "ACME")
    page.fill("[data-form=form-add-vendor] input[name=name]", "Acme Foods")
    page.select_option(
        "[data-form=form-add-vendor] select[name=default_department]", label="1 Grocery"
    )
    _submit(page, "add-vendor", "Add the vendor")
    assert "Vendor ACME “Acme Foods” is added." in _success(page)
    a11y.check("vendors")

    # A product added, then retired with a reason.
    _step(page, "Product")
    page.fill("[data-form=form-add-product] input[name=upc]", UPC_BUTTER)
    page.fill("[data-form=form-add-product] input[name=description]", "Butter")
    page.select_option("[data-form=form-add-product] select[name=department]", label="1 Grocery")
    page.fill("[data-form=form-add-product] input[name=regular_price]", "4.99")
    _submit(page, "add-product", "Add the product")
    assert "“Butter” is added." in _success(page)
    page.fill("[data-form=form-retire-product] input[name=reason]", "Out of season")
    _submit(page, "retire-product", "Retire this product")
    assert "Retired" in _success(page)
    history = page.locator("[data-testid=product-change]")
    expect(history.nth(0)).to_contain_text("Out of season")
    a11y.check("product retired")

    # The vendor's catalog, its new items added.
    page.click("[data-testid=step-list] a:text-is('Products')")
    shop_id = re.search(r"/data-sets/(\d+)/", page.url).group(1)
    page.goto(f"/apps/catalog/data-sets/{shop_id}/steps/options")
    page.select_option("#parameters-options select[name=catalog_new_items]", "add")
    with page.expect_navigation():
        page.click("#parameters-options button[name=save]")
    page.click("[data-testid=step-list] a:text-is('Upload')")
    catalog = tmp_path / "acme.csv"
    catalog.write_text(CATALOG)
    page.select_option("[data-widget=file] select[name=vendor]", "ACME")
    page.set_input_files("[data-widget=file] input[type=file]", str(catalog))
    page.click("[data-widget=file] button:has-text('Upload')")
    page.wait_for_url("**/steps/review")
    expect(page.locator("[data-testid=batch-status]")).to_have_attribute(
        "data-status", "populated", timeout=JOB_TIMEOUT
    )
    page.click("[data-testid=step-list] a:text-is('Apply')")
    page.click("[data-widget=apply] button:has-text('Apply the new costs')")
    expect(page.locator("[data-testid=batch-status]")).to_have_attribute(
        "data-status", "executed", timeout=JOB_TIMEOUT
    )

    # Oat milk: 2.50 a unit at Grocery's 30 % is 3.57, active, in Grocery.
    page.goto(f"/apps/products/data-sets/{shop_id}/steps/product?lookup.upc={UPC_NEW}")
    detail = page.locator("[data-testid=product-detail]")
    expect(detail).to_contain_text("Oat milk")
    text = " ".join(detail.inner_text().split())
    assert "Department Grocery" in text
    assert "Regular price 3.57" in text
    assert "Active yes" in text
    assert page.inner_text("[data-testid=product-margin]") == "29.97 %"
    expect(page.locator("[data-testid=product-history]")).to_contain_text(
        "New item priced at its department's target margin over its unit cost"
    )
    a11y.check("new item priced")

    # Candles: no margin to price them, inactive, listed as needing a price.
    _step(page, "Needs a price")
    rows = page.locator("[data-widget=unpriced] tbody tr[data-key]")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("Candles")
    a11y.check("needs a price")
