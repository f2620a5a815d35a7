"""A data set's dashboard in a real browser: its figures and chart, a batch waiting and
a failed job, each followed to where it is handled; axe-core and the operator-words
check read every page on the way (conftest.py), and screenshots are taken of each."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from poser.models.orm import Batch, Job
from poser.tasks.datasets import set_member
from tests.browser.support import log_in
from tests.factories import make_user
from tests.unit.tasks.reports.small_store import make_small_store


def test_an_operator_sees_what_needs_doing_and_goes_there(
    page: Any, a11y: Any, dbsession: Session
) -> None:
    data_set, _ = make_small_store(dbsession)
    editor = make_user(dbsession, "edna")
    set_member(data_set, editor, "editor")
    batch = Batch(data_set_id=data_set.id, batch_type="catalog", status="populated",
                  description="acme-march.csv", row_count=1_250,
                  status_counts={"cost_up": 1_000, "unchanged": 250})  # fmt: skip
    failed = Job(kind="datasets.export", data_set_id=data_set.id, status="failed",
                 error="The disk is full.")  # fmt: skip
    dbsession.add_all([batch, failed])
    dbsession.commit()
    log_in(page, "edna")
    page.goto(f"/apps/products/data-sets/{data_set.id}")

    figures = page.locator("[data-testid=dashboard-figures]")
    assert figures.locator("[data-testid=figure-products]").inner_text().split("\n") == [
        "Products",
        "7",
    ]
    assert "66.00" in figures.locator("[data-testid=figure-value_at_cost]").inner_text()
    assert "30.00 %" in figures.locator("[data-testid=figure-average_margin]").inner_text()
    page.wait_for_selector("[data-testid=chart-value-by-department] canvas", state="visible")
    counts = page.inner_text("[data-testid=batch-counts]")
    assert counts == "Vendor catalog: 1 ready to review"
    a11y.check("dashboard")  # axe and screenshots of the page with its chart drawn

    page.click(f"[aria-label='Apply Vendor catalog #{batch.id}']")
    page.wait_for_url("**/steps/apply")
    assert f"#{batch.id}" in page.inner_text("main")

    page.click("[data-testid=data-set-home]")
    page.wait_for_selector("[data-testid=dashboard]")
    a11y.check("catalog-dashboard")
    page.click(f"[data-job-id='{failed.id}'] [data-testid=job-link]")
    page.wait_for_selector("[data-testid=job-status][data-status=failed]")

    page.goto(f"/apps/products/data-sets/{data_set.id}")
    page.click("[data-testid=figure-needing_attention] a")
    page.wait_for_selector("h1:has-text('Products needing attention')")


def test_a_dashboard_is_not_found_for_someone_else(page: Any, dbsession: Session) -> None:
    data_set, _ = make_small_store(dbsession)
    make_user(dbsession, "stranger")
    log_in(page, "stranger")
    response = page.goto(f"/apps/products/data-sets/{data_set.id}")
    assert response.status == 404
