"""Controlling and undoing a catalog in Chromium, with a real worker: an operator uploads
a catalog with flagged rows, leaves the worst one out with a reason, applies the rest
once confirmed, opens a product from the review and reads its history, reverts the
batch, and the product's history shows the revert. Every page axe-checked, with
screenshots at 1366 and 1920 when POSER_SCREENSHOTS names a folder."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from poser.models.orm import Batch, ProductCost
from tests.browser.accessibility import PageAudit
from tests.browser.support import log_in
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_MILK, UPC_SOAP
from tests.functional.catalog_pages import corner_shop
from tests.worker_support import WorkerProcess

JOB_TIMEOUT = 60_000  # ms: a bound on waiting for the worker, not a speed target
#: Butter +10% (not flagged); the lip balm 9.00 -> 1,234.50 a case and milk doubled.
FLAGGED_FILE = (
    HEADER
    + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n"
    + f"{UPC_SOAP},A-200,Lip balm,,,6,1234.50\n"
    + f"{UPC_MILK},A-300,Milk,,,4,24.00\n"
)


def _step(page: Any, name: str) -> None:
    page.click(f"[data-testid=step-list] a:text-is('{name}')")
    page.wait_for_selector(f"h1:has-text('{name}')")


def _case_cost(session_factory: Any, product_id: int) -> Decimal:
    with session_factory() as session:
        return session.scalar(
            select(ProductCost.case_cost).where(ProductCost.product_id == product_id)
        )


def test_an_operator_excludes_a_flagged_row_applies_and_reverts(
    page: Any,
    a11y: PageAudit,
    dbsession: Session,
    session_factory: sessionmaker[Session],
    worker: WorkerProcess,
    tmp_path: Path,
) -> None:
    shop = corner_shop(dbsession)
    data_set = shop["data_set"]
    butter, soap = shop["butter"].id, shop["soap"].id
    catalog = tmp_path / "acme.csv"
    catalog.write_text(FLAGGED_FILE, encoding="utf-8")

    log_in(page, "olga")
    page.goto(f"/apps/catalog/data-sets/{data_set.id}/steps/options")
    page.select_option("#parameters-options select[name=catalog_vendor]", "ACME")
    with page.expect_navigation():
        page.click("#parameters-options button[name=save]")
    _step(page, "Upload")
    page.set_input_files("[data-widget=file] input[type=file]", str(catalog))
    page.click("[data-widget=file] button:has-text('Upload')")
    page.wait_for_url("**/steps/review")
    expect(page.locator("[data-testid=batch-status]")).to_have_attribute(
        "data-status", "populated", timeout=JOB_TIMEOUT
    )

    # The review: two flagged rows, the lip balm's change first, its margin at a loss.
    control = page.locator("[data-testid=review-control]")
    expect(control.locator("[data-testid=flagged-count]")).to_contain_text("2 will be applied")
    worst = control.locator("[data-testid=largest-changes] tbody tr").first
    expect(worst).to_contain_text("1,234.50")
    expect(worst.locator("[data-testid=new-margin]")).to_contain_text("sold at a loss")

    # The lip balm is left out, by its line, with the reason.
    page.fill("[data-form=exclude-lines] input[name=lines]", "3")
    page.fill("[data-form=exclude-lines] input[name=reason]", "Price list typo: 1,234.50")
    with page.expect_navigation():
        page.click("[data-form=exclude-lines] button[type=submit]")
    expect(page.locator("main > .alert-success")).to_contain_text(
        "Excluded 1 row: it will not be applied."
    )
    expect(page.locator("[data-testid=exclude-reasons]")).to_contain_text(
        "Price list typo: 1,234.50 (1 row)"
    )
    expect(control.locator("[data-testid=flagged-count]")).to_contain_text("1 will be applied")
    a11y.check("review-with-exclusions")

    # Applying: the milk is still flagged, so the form asks for a confirmation first.
    _step(page, "Apply")
    confirm = page.locator("[data-testid=apply-confirm]")
    expect(confirm).to_contain_text("1 flagged row")
    expect(confirm.locator("[data-testid=largest-changes]")).to_contain_text("Milk")
    expect(page.locator("[data-testid=apply-excluded]")).to_contain_text("Price list typo")
    a11y.check("apply-confirmation")
    page.check("[data-testid=apply-confirm] input[type=checkbox]")
    page.click("[data-widget=apply] button:has-text('Apply the new costs')")
    page.wait_for_selector(
        "[data-widget=apply] [data-testid=job-status][data-status=succeeded]",
        timeout=JOB_TIMEOUT,
    )
    assert _case_cost(session_factory, soap) == Decimal("9.00")
    assert _case_cost(session_factory, butter) == Decimal("26.40")

    # From the review's grid, the butter's product page and its history.
    _step(page, "Review")
    with page.expect_navigation():
        page.click(f"[data-widget=rows] a[href*='lookup.upc={UPC_BUTTER.zfill(14)}']")
    history = page.locator("[data-testid=product-change]")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("Vendor catalog #")
    a11y.check("product-from-review")
    page.go_back()

    # The revert, confirmed on the Report step, applied by the worker.
    _step(page, "Report")
    expect(page.locator("[data-testid=left-out]")).to_contain_text("Lip balm")
    page.click("[data-testid=revert] summary")
    expect(page.locator("[data-testid=revert-plan]")).to_contain_text("2 costs put back")
    a11y.check("revert-confirmation")
    page.check("[data-form=revert] input[type=checkbox]")
    with page.expect_navigation():
        page.click("[data-form=revert] button[type=submit]")
    expect(page.locator("main > .alert-success")).to_contain_text("reverts batch #")
    with session_factory() as session:
        revert = session.scalars(select(Batch).where(Batch.reverts_batch_id.is_not(None))).one()
    for _ in range(60):
        with session_factory() as session:
            if session.get(Batch, revert.id).status == "executed":
                break
        page.wait_for_timeout(500)
    page.reload()
    expect(page.locator("[data-testid=reverts]")).to_contain_text("undoes batch #")
    expect(page.locator("[data-testid=execution-summary]")).to_be_visible()
    a11y.check("reverted")
    assert _case_cost(session_factory, butter) == Decimal("24.00")
    assert _case_cost(session_factory, soap) == Decimal("9.00")

    # The butter's history: the revert, newest first, made by the reverting batch.
    page.goto(f"/apps/products/data-sets/{data_set.id}/steps/product?lookup.upc={UPC_BUTTER}")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text(f"Vendor catalog #{revert.id}")
    expect(history.first).to_contain_text(re.compile(r"Undoes batch #\d+"))
    a11y.check("product-after-revert")
