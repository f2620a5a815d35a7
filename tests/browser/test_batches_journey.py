"""Batches an operator finds and controls, in Chromium with a real worker: a file
uploaded for the vendor chosen on the form, its columns chosen from lists, the list of
batches, a batch deleted after a confirmation, the same file uploaded again warned of,
and an apply whose step shows done, without a reload."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from tests.browser.accessibility import PageAudit
from tests.browser.support import log_in
from tests.catalog_support import UPC_BUTTER, UPC_SOAP
from tests.functional.catalog_pages import corner_shop
from tests.worker_support import WorkerProcess

JOB_TIMEOUT = 60_000  # ms: a bound on waiting for the worker, not a speed target
#: A vendor file whose headers Poser does not know.
OWN_HEADERS = f"Barcode No,Our Pack,Net\n{UPC_BUTTER},12,26.40\n{UPC_SOAP},6,6.00\n"


def _upload(page: Any, path: Path, vendor: str) -> None:
    page.click("[data-testid=step-list] a:text-is('Upload')")
    page.select_option("[data-widget=file] select[name=vendor]", vendor)
    page.set_input_files("[data-widget=file] input[type=file]", str(path))
    page.click("[data-widget=file] button:has-text('Upload')")
    page.wait_for_url("**/steps/review")


def _batch_status(page: Any, pattern: str) -> None:
    expect(page.locator("[data-testid=batch-status]")).to_have_attribute(
        "data-status", re.compile(pattern), timeout=JOB_TIMEOUT
    )


def test_an_operator_finds_and_controls_batches(
    page: Any, a11y: PageAudit, dbsession: Session, worker: WorkerProcess, tmp_path: Path
) -> None:
    shop = corner_shop(dbsession)
    data_set = shop["data_set"]
    own = tmp_path / "acme-prices.csv"
    own.write_text(OWN_HEADERS)
    log_in(page, "olga")
    page.goto(f"/apps/catalog/data-sets/{data_set.id}/steps/upload")

    # The vendor is chosen on the form; its file's headers are not Poser's: the read
    # fails and says why, and the columns are chosen from lists.
    a11y.check("upload form")
    _upload(page, own, "ACME")
    _batch_status(page, "failed")
    page.click("[data-testid=step-list] a:text-is('Upload')")
    choice = page.locator("[data-testid=column-choice]")
    expect(choice.locator("select")).to_have_count(3)
    a11y.check("columns to choose")
    page.select_option("select[data-header='Barcode No']", "upc")
    page.select_option("select[data-header='Our Pack']", "case_size")
    page.select_option("select[data-header='Net']", label="Case cost")
    page.click("button:has-text('Read the file with these columns')")
    _batch_status(page, "populated")
    assert "Ready to review" in page.inner_text("[data-testid=batch-status]")

    # The same file again: warned of, with a link to the earlier batch.
    _upload(page, own, "ACME")
    warning = page.locator("main > .alert-warning")
    expect(warning).to_contain_text("is the same as the file of batch #")
    _batch_status(page, "populated")
    expect(page.locator("[data-testid=same-file] a")).to_have_text(re.compile("Open batch #"))

    # All batches: both listed; the newer is deleted after a confirmation.
    page.click("[data-testid=all-batches]")
    rows = page.locator("[data-testid=batch-list] tbody tr")
    expect(rows).to_have_count(2)
    newer = rows.nth(0).get_attribute("data-batch")
    older = rows.nth(1).get_attribute("data-batch")
    a11y.check("batch list")
    page.click(f"[data-testid=delete-{newer}]")
    confirm = page.locator("[data-testid=confirm-delete]")
    expect(confirm).to_contain_text(f"Delete batch #{newer}?")
    a11y.check("delete confirmation")
    page.click(f"button:has-text('Delete batch #{newer}')")
    expect(page.locator("main > .alert-success")).to_contain_text(f"Batch #{newer} was deleted")
    expect(rows).to_have_count(1)

    # The older batch, opened from the list, is applied: the step shows done and the
    # Delete goes once the job has finished, with no reload of the page.
    page.click(f"[aria-label='Apply batch #{older}']")
    page.wait_for_url("**/steps/apply")
    expect(page.locator("[data-testid=delete-batch]")).to_have_count(1)
    flagged = page.locator("[data-widget=apply] input[type=checkbox]")
    if flagged.count():  # the soap's cost is down 33%: a flagged row, confirmed
        flagged.check()
    page.click("[data-widget=apply] button:has-text('Apply the new costs')")
    page.wait_for_url("**/steps/apply")
    page.evaluate("window.__still_here = true")  # the page the apply's form sent us back to
    _batch_status(page, "executed")
    assert page.evaluate("window.__still_here === true")  # brought up to date, not reloaded
    expect(page.locator("[data-testid=delete-batch]")).to_have_count(0)
    state = page.locator("[data-testid=step-list] [data-step-state]")
    expect(state).to_have_attribute("data-step-state", "done")
    assert page.inner_text("[data-testid=batch-status]") == "Applied"
