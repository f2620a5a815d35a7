"""An operator runs a report in a real browser and downloads it in each format; every
page on the way is checked with axe-core and read for internal keys (conftest.py)."""

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


def test_an_operator_runs_a_report_and_downloads_each_format(
    page: Any, dbsession: Session, worker: WorkerProcess, tmp_path: Path
) -> None:
    data_set, rows = make_small_store(dbsession)
    log_in(page, rows["alice"].username)
    page.goto(f"/apps/products/data-sets/{data_set.id}")
    page.click("[data-testid=data-set-reports]")
    page.wait_for_selector("h1:has-text('Reports')")
    page.click("text=Products needing attention")
    page.select_option("select[name=reason]", label="All that need attention")
    page.click("button:has-text('Run the report')")
    page.wait_for_selector("[data-testid=job-status][data-status=succeeded]", timeout=30000)

    page.goto(f"/apps/products/data-sets/{data_set.id}/reports/products_needing_attention")
    run = page.locator("[data-testid=report-runs] tbody tr").first
    assert "Which products: All that need attention" in run.inner_text()
    assert rows["alice"].username in run.inner_text()
    with open(downloaded(page, "[data-testid=report-file]:has-text('CSV')", tmp_path / "r.csv"),
              encoding="utf-8-sig") as file:  # fmt: skip
        table = list(csv.reader(file))
    assert [line[-1] for line in table] == [
        "Needs",
        "Sells under its cost",
        "No price",
        "No cost; No department",
        "Inactive with stock",
    ]
    book = openpyxl.load_workbook(
        downloaded(page, "[data-testid=report-file]:has-text('XLSX')", tmp_path / "r.xlsx")
    )
    assert book.active.max_row == 5
    html = downloaded(page, "[data-testid=report-file]:has-text('HTML')", tmp_path / "r.html")
    assert "<h1>Products needing attention</h1>" in html.read_text(encoding="utf-8")

    page.click("button:has-text('Run again')")
    page.wait_for_selector("[data-testid=job-status][data-status=succeeded]", timeout=30000)
    page.goto(f"/apps/products/data-sets/{data_set.id}/reports")
    assert page.locator("[data-testid=report-runs] tbody tr").count() == 2


def test_a_report_page_is_not_found_for_someone_else(page: Any, dbsession: Session) -> None:
    data_set, _ = make_small_store(dbsession)
    make_user(dbsession, "stranger")
    log_in(page, "stranger")
    response = page.goto(f"/apps/products/data-sets/{data_set.id}/reports/cost_changes")
    assert response.status == 404


def test_an_editor_schedules_a_report(page: Any, dbsession: Session) -> None:
    data_set, _ = make_small_store(dbsession)
    editor = make_user(dbsession, "edna")
    set_member(data_set, editor, "editor")
    dbsession.commit()
    log_in(page, "edna")
    page.goto(f"/apps/products/data-sets/{data_set.id}/reports/cost_changes")
    page.select_option("select[name=frequency]", label="Every Monday")
    page.click("button:has-text('Save the schedule')")
    page.wait_for_selector("text=Cost changes runs every Monday.")
    described = page.inner_text("[data-testid=report-schedule]")
    assert described.startswith("Every Monday, next on ")
    assert "run as edna" in described
