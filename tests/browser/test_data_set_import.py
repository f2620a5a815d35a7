"""An operator exports a data set, then starts a new one from that file, in Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from poser.tasks.datasets import create_data_set
from poser.tasks.generate import generate_products
from tests.browser.support import downloaded, log_in
from tests.factories import make_user
from tests.worker_support import WorkerProcess


def test_an_operator_starts_a_data_set_from_an_exported_workbook(
    page: Any, dbsession: Session, worker: WorkerProcess, tmp_path: Path
) -> None:
    owner = make_user(dbsession, "xena")
    source = create_data_set(dbsession, "Corner Shop", "products", owner)
    generate_products(source, products=6, seed=2)
    dbsession.commit()
    log_in(page, "xena")

    page.goto(f"/apps/products/data-sets/{source.id}/settings")
    page.click("button:has-text('Export to Excel')")
    page.wait_for_selector("[data-testid=job-status][data-status=succeeded]", timeout=30000)
    workbook = downloaded(page, "[data-testid=job-download]", tmp_path / "corner-shop.xlsx")

    page.goto("/apps/products")
    import_form = "form:has(button:has-text('Create from file'))"
    page.set_input_files(f"{import_form} input[type=file]", str(workbook))
    page.fill(f"{import_form} input[name=name]", "Corner Shop again")
    page.click("button:has-text('Create from file')")
    page.wait_for_selector("[data-testid=job-status][data-status=succeeded]", timeout=30000)
    assert "Products\n6" in page.inner_text("[data-testid=job-result]")  # in words
    page.click("[data-testid=job-data-set]")
    page.wait_for_selector("[data-testid=dashboard]")  # a data set opens on its dashboard
    page.click("[data-testid=step-list] a:text-is('Products')")
    page.wait_for_selector("[data-testid=grid-summary]")
    assert "6" in page.inner_text("[data-testid=grid-summary]")
    assert "Corner Shop again" in page.inner_text(".breadcrumb")

    # A file that is no workbook is refused on the spot, and no data set is made.
    not_a_workbook = tmp_path / "prices.xlsx"
    not_a_workbook.write_text("upc,price\n012345678905,1.99\n")
    page.goto("/apps/products")
    page.set_input_files(f"{import_form} input[type=file]", str(not_a_workbook))
    page.click("button:has-text('Create from file')")
    page.wait_for_selector("text=not an Excel (.xlsx) workbook")
    names = page.inner_text("[data-testid=data-sets]")
    assert "prices" not in names
    assert "Corner Shop again" in names
