"""An operator walks the Products Application in Chromium, with a real worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tests.browser.support import downloaded, grid_widths, log_in
from tests.factories import PASSWORD, make_user
from tests.worker_support import WorkerProcess


def test_an_operator_walks_the_products_application(
    page: Any, dbsession: Session, worker: WorkerProcess, tmp_path: Path
) -> None:
    make_user(dbsession, "nora")
    other = make_user(dbsession, "ned")
    log_in(page, "nora")
    page.click("text=Products")

    # Create a data set from the example: a job loads it while the page shows progress.
    page.click("button:has-text('Create from example')")
    page.wait_for_selector("[data-testid=job-status][data-status=succeeded]", timeout=60000)
    page.click("text=Jobs")  # back through the app's home, as an operator would
    page.goto("/apps/products")
    page.click("text=Sample Store")
    page.wait_for_selector("[data-testid=dashboard]")  # a data set opens on its dashboard
    page.click("[data-testid=step-list] a:text-is('Products')")
    page.wait_for_selector("[data-testid=grid-summary]")
    # 3,000 products: few enough for the grid to count them all.
    assert "of 3,000" in page.inner_text("[data-testid=grid-summary]")
    store_url = page.url

    # On a laptop's screen and a desktop's, every column is on screen beside the steps:
    # the grid does not scroll sideways (the example's long descriptions and vendors).
    for width, (table, frame) in grid_widths(page, store_url, "[data-widget=products]").items():
        assert table <= frame, f"at {width} pixels the grid scrolls sideways"

    # Paging, sorting and filtering replace only the grid: a marker on window survives.
    page.wait_for_load_state("load")  # htmx is deferred: a click before it runs navigates
    page.evaluate("window.__still_here = true")
    first_row = page.inner_text("[data-widget=products] tbody tr[data-key] >> nth=0")
    page.click("[data-widget=products] a[rel=next]")
    first_cell = "document.querySelector('[data-widget=products] tbody tr[data-key]').innerText"
    page.wait_for_function(f"(first) => {first_cell} !== first", arg=first_row)
    assert "page=2" in page.url
    page.click("[data-widget=products] th[data-column=regular_price] a")
    page.wait_for_url("**products.sort=**")
    page.click("[data-widget=products] summary:has-text('Filters')")
    page.fill("[data-filter=regular_price] input >> nth=0", "20")
    page.press("[data-filter=regular_price] input >> nth=0", "Enter")
    page.wait_for_url("**regular_price.min=20**")
    assert page.evaluate("window.__still_here") is True

    csv_path = downloaded(page, "[data-testid=grid-csv]", tmp_path / "products.csv")
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("UPC,Description")
    assert len(lines) > 1

    # The margins chart is drawn; a bad target shows its message and saves nothing.
    page.click("[data-testid=step-list] >> text=Margins")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('canvas'))")
    page.fill("input[name=target_margin]", "150")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Give a percent from 0 to 99.99.")

    # Another user cannot reach the data set by its URL.
    page.click("text=Log out")
    page.fill("input[name=username]", other.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Applications')")
    response = page.goto(store_url)
    assert response.status == 404
