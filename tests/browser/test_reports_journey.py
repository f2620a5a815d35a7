"""Issue 24's operator in a real browser: each report run and downloaded as CSV, XLSX
and HTML, one scheduled, the nightly storefront feed turned on and written, and the
data set's dashboard showing the runs and the feed; axe-core and the operator-words
check read every page on the way (conftest.py)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy.orm import Session

from poser.tasks.datasets import set_member
from tests.browser.support import downloaded, log_in
from tests.factories import make_user
from tests.unit.tasks.reports.small_store import make_small_store
from tests.worker_support import WorkerProcess

#: Each report, and what the operator fills in on its form (the rest as it comes).
REPORTS = {
    "Margin by department": {},
    "Cost changes": {"input[name=start]": "2026-01-01"},
    "Inventory valuation": {},
    "Products needing attention": {},
}


def _run(page: Any, home: str, title: str, filled: dict[str, str], tmp_path: Path) -> int:
    """Run the report named ``title`` with its form ``filled``; check its three files
    agree (the CSV's lines are the workbook's rows, the page has the title); the CSV's
    lines."""
    page.goto(f"{home}/reports")
    page.click(f"[data-testid=report-list] >> text={title}")
    for field, value in filled.items():
        page.fill(field, value)
    page.click("button:has-text('Run the report')")
    page.wait_for_selector("[data-testid=job-status][data-status=succeeded]", timeout=30000)
    page.go_back()
    page.reload()
    run = page.locator("[data-testid=report-runs] tbody tr").first
    stem = tmp_path / title.replace(" ", "-")
    csv_file = downloaded(
        page, "[data-testid=report-file]:has-text('CSV')", stem.with_suffix(".csv")
    )
    with open(csv_file, encoding="utf-8-sig") as file:
        lines = list(csv.reader(file))
    assert len(lines) >= 2, f"{title}: a header and at least one row"
    book = openpyxl.load_workbook(
        downloaded(page, "[data-testid=report-file]:has-text('XLSX')", stem.with_suffix(".xlsx"))
    )
    assert book.active.max_row == len(lines)
    html = downloaded(page, "[data-testid=report-file]:has-text('HTML')", stem.with_suffix(".html"))
    assert f"<h1>{title}</h1>" in html.read_text(encoding="utf-8")
    assert run.is_visible()
    return len(lines)


def test_an_operator_runs_every_report_schedules_one_and_turns_on_the_feed(
    page: Any, a11y: Any, dbsession: Session, worker: WorkerProcess, tmp_path: Path
) -> None:
    data_set, _ = make_small_store(dbsession)
    set_member(data_set, make_user(dbsession, "edna"), "editor")
    dbsession.commit()
    home = f"/apps/products/data-sets/{data_set.id}"
    log_in(page, "edna")

    lines = {title: _run(page, home, title, filled, tmp_path) for title, filled in REPORTS.items()}
    # The small store's seven products, as the reports' own tests work them out: two
    # departments and the products without one; five products needing attention.
    assert lines["Margin by department"] == 1 + 3
    assert lines["Products needing attention"] == 1 + 4
    assert lines["Cost changes"] == 1 + 4  # its four cost changes of 2026, not the price
    page.goto(f"{home}/reports")
    page.click("[data-testid=report-list] >> text=Margin by department")
    page.select_option("select[name=frequency]", label="On the first of each month")
    page.click("button:has-text('Save the schedule')")
    page.wait_for_selector("text=Margin by department runs on the first of each month.")

    page.goto(f"{home}/reports")
    page.click("[data-testid=feed-link] a")
    page.wait_for_selector("h1:has-text('Storefront product feed')")
    page.check("input[name=product_feed_nightly]")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=The feed is written every night")
    page.click("button:has-text('Write the feed now')")
    page.wait_for_selector("[data-testid=job-status][data-status=succeeded]", timeout=30000)
    page.go_back()
    page.reload()
    a11y.check("feed")
    latest = page.get_attribute("[data-testid=feed-latest-link]", "href")
    feed = page.request.get(latest)
    assert feed.status == 200
    feed_lines = feed.text().lstrip("\ufeff").splitlines()
    # The packaged template's columns; the active products with a price: 1, 2, 3 and 5.
    assert feed_lines[0] == "UPC,Description,Brand,Size,Department,Price,On hand"
    assert sorted(line.split(",")[1] for line in feed_lines[1:]) == [
        "Product 1",
        "Product 2",
        "Product 3",
        "Product 5",
    ]

    page.goto(home)
    page.wait_for_selector("[data-testid=chart-value-by-department] canvas", state="visible")
    a11y.check("dashboard")
    reports = page.inner_text("[data-testid=dashboard-reports]")
    for title in REPORTS:
        assert title in reports
    assert "feed" in page.inner_text("[data-testid=dashboard-exports]").lower()
