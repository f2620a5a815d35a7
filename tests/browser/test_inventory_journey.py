"""The inventory count journey in Chromium, with a real worker: an operator counts two
departments from two scanner files plus lines typed with a (simulated) scanner, sees
the variances in money, recounts the row flagged for recount from a recount file (which
replaces its earlier count), applies the count, reads
the new on-hand on a product's history, and downloads the inventory valuation. Every
page is axe-checked, read for internal keys, and photographed at 1366 and 1920 wide."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from poser.models.orm import Batch, Product
from tests.browser.accessibility import PageAudit
from tests.browser.support import downloaded, grid_widths, log_in
from tests.catalog_support import UPC_BUTTER, UPC_MILK, UPC_NEW, UPC_OTHER_VENDOR, UPC_SOAP
from tests.functional.catalog_pages import corner_shop
from tests.worker_support import WorkerProcess

JOB_TIMEOUT = 60_000  # ms: a bound on waiting for the worker, not a speed target
#: Two handhelds: the dairy cooler (butter 30, far from its 10 on hand: flagged), and
#: the health aisle with its sections, one line per scan for the soap.
COOLER = f"UPC,Qty,Aisle\n{UPC_BUTTER},30,Cooler\n{UPC_MILK},4,Cooler\n"
HEALTH = f"{UPC_SOAP}\n{UPC_SOAP}\n{UPC_SOAP}\n"


def _step(page: Any, name: str) -> None:
    page.click(f"[data-testid=step-list] a:text-is('{name}')")
    page.wait_for_selector(f"h1:has-text('{name}')")


def _read(page: Any) -> None:
    """Wait for the count's reading to finish: the panel's job reloads the page."""
    status = page.locator("[data-widget=batch] [data-testid=batch-status]")
    expect(status).to_have_attribute("data-status", "populated", timeout=JOB_TIMEOUT)
    expect(page.locator("#job-panel")).to_have_count(0, timeout=JOB_TIMEOUT)


def _upload(page: Any, path: Path, recount: bool = False) -> None:
    page.set_input_files("[data-widget=file] input[type=file]", str(path))
    if recount:
        page.check("[data-widget=file] input[name=recount]")
    with page.expect_navigation():
        page.click("[data-widget=file] button:has-text('Upload')")
    _read(page)


def _scan(page: Any, upc: str, quantity: str) -> None:
    """A scanner's UPC and its Enter, then the quantity typed and Enter, on the page as
    it is (no page load between lines)."""
    page.wait_for_load_state("load")  # htmx is deferred: Enter before it runs loads a page
    page.click("[data-widget=typed] input[data-scan=upc]")
    page.keyboard.type(upc)
    page.keyboard.press("Enter")
    focused = page.evaluate("document.activeElement.dataset.scan")
    assert focused == "quantity", "Enter after the UPC moves to the quantity"
    page.keyboard.type(quantity)
    # htmx sends the line and puts the page that comes back in place of this one's main
    # part: no page load, and the UPC field has the focus for the next scan.
    page.evaluate("document.querySelector('main').dataset.sent = 'yes'; window.__same = 1")
    page.keyboard.press("Enter")
    page.wait_for_selector("main:not([data-sent])")
    assert page.evaluate("window.__same") == 1, "the line was sent without a page load"
    expect(page.locator("[data-widget=typed] input[data-scan=upc]")).to_be_focused()


def test_an_operator_counts_two_departments_applies_and_values_the_stock(
    page: Any,
    a11y: PageAudit,
    dbsession: Session,
    session_factory: sessionmaker[Session],
    worker: WorkerProcess,
    tmp_path: Path,
) -> None:
    shop = corner_shop(dbsession)
    for name, on_hand in (("butter", "10"), ("milk", "5"), ("soap", "3"), ("other", "7")):
        shop[name].on_hand = Decimal(on_hand)
    dbsession.commit()
    data_set = shop["data_set"]
    log_in(page, "olga")
    page.click("text=Inventory counts")
    page.click("[data-testid=data-sets] >> text=Corner Shop")
    page.wait_for_selector("[data-testid=step-list]")

    _step(page, "Options")
    page.select_option("select[name=inventory_mode]", "zero_rest")
    page.fill("input[name=inventory_threshold_units]", "5")
    page.fill("input[name=inventory_threshold_money]", "15")
    with page.expect_navigation():
        page.click("#parameters-options button[name=save]")
    page.check("text=1 · Dairy")
    page.check("text=2 · Health")
    with page.expect_navigation():
        page.click("button:has-text('Save the departments')")
    assert page.is_checked("text=2 · Health")
    a11y.check("options")

    _step(page, "Count")
    (tmp_path / "cooler.csv").write_text(COOLER)
    (tmp_path / "health.txt").write_text(HEALTH)
    _upload(page, tmp_path / "cooler.csv")
    _upload(page, tmp_path / "health.txt")
    files = page.locator("[data-testid=count-files] li")
    expect(files).to_have_count(2)
    assert "health.txt" in files.nth(1).inner_text()
    _scan(page, UPC_NEW, "2")  # not in the catalog: said at once, next to the UPC
    expect(page.locator("[data-widget=typed] .item-upc")).to_contain_text("is not in the catalog")
    page.fill("[data-widget=typed] input[data-scan=upc]", "")
    page.fill("[data-widget=typed] input[name=section]", "Aisle 4")
    _scan(page, UPC_OTHER_VENDOR, "6")
    _scan(page, UPC_SOAP, "1")  # a fourth soap found on the back shelf
    lines = page.locator("[data-testid=typed-lines] tbody tr")
    expect(lines).to_have_count(2)
    assert "Aisle 4" in lines.nth(0).inner_text()
    a11y.check("count")

    _step(page, "Review")
    grid = page.locator("[data-widget=rows]")
    expect(grid).to_contain_text("Butter")
    text = grid.inner_text()
    assert re.search(r"\+[\d,]+\.\d{2}", text), "variances at cost and retail, in money"
    a11y.check("review")
    # On a laptop's screen and a desktop's, every column, Excluded and its reason too,
    # is on screen beside the steps: descriptions and messages wrap.
    for width, (table, frame) in grid_widths(page, page.url, "[data-widget=rows]").items():
        assert table <= frame, f"at {width} pixels the review grid scrolls sideways"

    recount_list = downloaded(page, "[data-testid=recount-text]", tmp_path / "recount.txt")
    assert recount_list.read_text().split() == [UPC_BUTTER]
    _step(page, "Count")  # butter counted again: 12, not 30
    (tmp_path / "butter-again.txt").write_text(f"{UPC_BUTTER} 12\n")
    _upload(page, tmp_path / "butter-again.txt", recount=True)
    expect(files.nth(2)).to_contain_text("recount")

    _step(page, "Review")
    expect(grid).to_contain_text("Replaced by its recount in butter-again.txt")

    _step(page, "Apply")
    expect(page.locator("[data-testid=apply-confirm]")).to_have_count(0)
    a11y.check("apply")
    page.click("[data-widget=apply] button:has-text('Apply the count to on-hand')")
    page.wait_for_selector(
        "[data-widget=apply] [data-testid=job-status][data-status=succeeded]",
        timeout=JOB_TIMEOUT,
    )

    with session_factory() as session:
        batch = session.scalars(select(Batch).where(Batch.data_set_id == data_set.id)).one()
        assert batch.status == "executed"
        on_hand = dict(
            session.execute(
                select(Product.upc, Product.on_hand).where(Product.data_set_id == data_set.id)
            ).all()
        )
    assert on_hand[shop["butter"].upc] == 12
    assert on_hand[shop["soap"].upc] == 4
    assert on_hand[shop["other"].upc] == 6

    page.goto(f"/apps/products/data-sets/{data_set.id}/steps/product?lookup.upc={UPC_BUTTER}")
    change = page.locator("[data-testid=product-change]").first
    expect(change).to_contain_text("12")
    expect(change).to_contain_text(f"Inventory count #{batch.id}")
    a11y.check("butter-history")

    page.goto(f"/apps/inventory/data-sets/{data_set.id}/steps/reports")
    a11y.check("valuation")
    page.click("button:has-text('Run the valuation now')")
    page.wait_for_selector("[data-testid=job-status][data-status=succeeded]", timeout=JOB_TIMEOUT)
    page.goto(f"/apps/inventory/data-sets/{data_set.id}/steps/reports")
    page.click("[data-testid=valuation-page]")
    page.wait_for_selector("h1:has-text('Inventory valuation')")
    report = downloaded(
        page, "[data-testid=report-file]:has-text('CSV')", tmp_path / "valuation.csv"
    )
    with report.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    units = {row["Department"]: Decimal(row["Units on hand"]) for row in rows if row["Department"]}
    assert units["Dairy"] == 16  # butter 12, milk 4
    assert units["Health"] == 10  # soap 4, the other item 6
