"""The vendor catalog journey in Chromium, with a real worker: an operator loads the
Sample Store, uploads its vendor's catalog, reviews what would change, applies it,
downloads the change report, and the products carry the new costs with their history."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from poser.models.orm import Batch, DataSet, Product, ProductChange, ProductCost, Vendor
from tests.browser.accessibility import PageAudit
from tests.browser.support import downloaded, log_in
from tests.factories import make_user
from tests.worker_support import WorkerProcess

CATALOG = Path(__file__).resolve().parents[2] / "poser" / "data" / "sample_vendor_catalog.csv"
# The vendor supplying the most of the Sample Store's items: the catalog is theirs.
VENDOR = "GLNF"
JOB_TIMEOUT = 60_000  # ms: a bound on waiting for the worker, not a speed target


def _step(page: Any, name: str) -> None:
    page.click(f"[data-testid=step-list] a:text-is('{name}')")
    page.wait_for_selector(f"h1:has-text('{name}')")


def _column(page: Any, widget: str, column: str) -> list[str]:
    """The text of one column of a grid's rows on the page, found by its header."""
    return page.evaluate(
        """([widget, column]) => {
          const grid = document.querySelector(`[data-widget=${widget}]`);
          const headers = [...grid.querySelectorAll('thead th')];
          const index = headers.findIndex((th) => th.dataset.column === column);
          return [...grid.querySelectorAll('tbody tr[data-key]')]
            .map((tr) => tr.children[index].innerText.trim());
        }""",
        [widget, column],
    )


def _counts(page: Any) -> dict[str, int]:
    return {
        element.get_attribute("data-count"): int(element.inner_text().replace(",", ""))
        for element in page.query_selector_all("[data-count]")
    }


def test_an_operator_applies_a_vendor_catalog(
    page: Any,
    a11y: PageAudit,
    dbsession: Session,
    session_factory: sessionmaker[Session],
    worker: WorkerProcess,
    tmp_path: Path,
) -> None:
    make_user(dbsession, "carla")
    log_in(page, "carla")
    page.click("text=Vendor catalogs")

    # The Sample Store, from the example: a job loads it while the page shows progress.
    page.click("button:has-text('Create from example')")
    page.wait_for_selector("[data-testid=job-status][data-status=succeeded]", timeout=JOB_TIMEOUT)
    page.goto("/apps/catalog")
    page.click("[data-testid=data-sets] >> text=Sample Store")
    page.wait_for_selector("[data-testid=step-list]")

    _step(page, "Options")
    page.select_option("#parameters-options select[name=catalog_vendor]", VENDOR)
    page.select_option("#parameters-options select[name=catalog_new_items]", "add")
    with page.expect_navigation():
        page.click("#parameters-options button[name=save]")
    _step(page, "Options")  # what was saved is what the form shows again
    assert page.input_value("select[name=catalog_vendor]") == VENDOR
    assert page.input_value("select[name=catalog_new_items]") == "add"

    # Uploading makes a batch and lands on Review while the worker reads it; the job
    # panel reloads the page when it is done.
    _step(page, "Upload")
    page.set_input_files("[data-widget=file] input[type=file]", str(CATALOG))
    page.click("[data-widget=file] button:has-text('Upload')")
    page.wait_for_url("**/steps/review")
    status = page.locator("[data-testid=batch-status]")
    expect(status).to_have_attribute(
        "data-status", re.compile("populated|failed"), timeout=JOB_TIMEOUT
    )
    assert status.get_attribute("data-status") == "populated", page.inner_text(
        "[data-widget=batch]"
    )
    # What the operator reads: a word for the batch, a label before each count.
    assert status.inner_text() == "Ready to review"
    counts_text = page.inner_text("[data-testid=batch-counts]")
    assert "New item 20" in counts_text
    assert "Cost up" in counts_text
    expect(page.locator("#job-panel")).to_have_count(0)  # no reload is still to come
    counts = _counts(page)
    assert sum(counts.values()) == 500
    assert counts["new_item"] == 20
    assert counts["cost_up"] > 0
    assert counts["cost_down"] > 0
    assert "error" not in counts
    assert page.inner_text("[data-testid=batch-rows]") == "500"

    # Both charts are drawn by Chart.js, each beside the table that holds its numbers.
    for chart in ("statuses", "changes"):
        figure = f"[data-widget={chart}] [data-poser-chart]"
        page.wait_for_selector(f"{figure}[data-chart-drawn]")
        assert page.evaluate(
            "(figure) => !!Chart.getChart(document.querySelector(figure + ' canvas'))", figure
        )
        assert page.query_selector(f"[data-testid=chart-{chart}-table] table")
    status_table = page.inner_text("[data-testid=chart-statuses-table] tbody")
    assert "Cost up" in status_table
    assert "New item" in status_table

    # Filtering and sorting replace only the grid: a marker on window survives.
    page.wait_for_load_state("load")  # htmx is deferred: a click before it runs navigates
    page.evaluate("window.__still_here = true")
    summary = page.locator("[data-widget=rows] [data-testid=grid-summary]")
    expect(summary).to_have_text(re.compile(r"of 500$"))
    page.click("[data-widget=rows] summary:has-text('Filters')")
    page.select_option("[data-widget=rows] [data-filter=status] select", ["cost_up", "cost_down"])
    page.click("[data-widget=rows] button:has-text('Apply')")
    page.wait_for_url("**rows.status.in=cost_**")
    changed = counts["cost_up"] + counts["cost_down"]
    expect(summary).to_have_text(re.compile(rf"of {changed}$"))
    assert set(_column(page, "rows", "status")) <= {"Cost up", "Cost down"}
    page.click("[data-widget=rows] th[data-column=cost_change] a")
    page.wait_for_url("**rows.sort=cost_change**")
    expect(page.locator("[data-widget=rows] th[data-column=cost_change]")).to_have_attribute(
        "aria-sort", "ascending"
    )
    # Money to the cent, signed; percents with their sign.
    texts = _column(page, "rows", "cost_change")
    assert all(re.fullmatch(r"[+-][\d,]+\.\d{2,4}", text) for text in texts), texts
    percents = _column(page, "rows", "cost_change_percent")
    assert all(re.fullmatch(r"[+-]?[\d,]+\.\d%", text) for text in percents), percents
    a11y.check("review-sorted")  # what htmx swapped in
    changes = [Decimal(text.replace(",", "")) for text in texts]
    assert changes == sorted(changes)
    assert changes[0] < 0  # the decreases come first
    assert page.evaluate("window.__still_here") is True

    _step(page, "Apply")
    expect(page.locator("[data-widget=apply] [data-testid=blockers]")).to_have_count(0)
    # Some costs change past the tolerance: the form names them and asks first.
    confirm = page.locator("[data-testid=apply-confirm]")
    expect(confirm).to_contain_text("3 flagged rows")
    expect(confirm.locator("[data-testid=largest-changes] tbody tr")).to_have_count(3)
    page.check("[data-testid=apply-confirm] input[type=checkbox]")
    page.click("[data-widget=apply] button:has-text('Apply the new costs')")
    page.wait_for_selector(
        "[data-widget=apply] [data-testid=job-status][data-status=succeeded]",
        timeout=JOB_TIMEOUT,
    )

    _step(page, "Report")
    updated = int(page.inner_text("[data-summary=costs_updated]").replace(",", ""))
    assert updated == changed
    assert page.inner_text("[data-summary=new_items_added]") == "20"
    expect(page.locator("[data-testid=report-file]")).to_have_count(2)
    xlsx = page.get_attribute("[data-testid=report-file]:text-is('XLSX')", "href")
    assert (xlsx or "").endswith(".xlsx")
    report = downloaded(page, "[data-testid=report-file]:text-is('CSV')", tmp_path / "report.csv")
    with report.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert rows, "the report has a header and rows"
    assert {"UPC", "Status", "Old unit cost", "Unit cost"} <= set(rows[0])
    # Unit costs as the report gives them: what each changed product costs now.
    new_costs = {
        row["UPC"]: (Decimal(row["Old unit cost"]), Decimal(row["Unit cost"]))
        for row in rows
        if row["Status"] in ("Cost up", "Cost down")  # in words, as the review names them
    }
    assert len(new_costs) == changed

    # The products carry the new costs, and each change left a history row of the batch.
    with session_factory() as session:
        data_set = session.scalars(select(DataSet).where(DataSet.name == "Sample Store")).one()
        batch = session.scalars(select(Batch).where(Batch.data_set_id == data_set.id)).one()
        assert batch.status == "executed"
        of_vendor = (
            select(Product.upc, ProductCost.unit_cost)
            .join(ProductCost, ProductCost.product_id == Product.id)
            .join(Vendor, Vendor.id == ProductCost.vendor_id)
            .where(Product.data_set_id == data_set.id, Vendor.code == VENDOR)
            .where(Product.upc.in_(new_costs))
        )
        costs = dict(session.execute(of_vendor).all())
        assert costs == {upc: new for upc, (_, new) in new_costs.items()}
        history = session.execute(
            select(Product.upc, ProductChange.old_unit_cost, ProductChange.new_unit_cost)
            .join(Product, Product.id == ProductChange.product_id)
            .where(
                ProductChange.field == "cost",
                ProductChange.batch_id == batch.id,
                Product.upc.in_(new_costs),
            )
        )
        assert {upc: (old, new) for upc, old, new in history} == new_costs
