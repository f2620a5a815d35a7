"""The Inventory Application through the whole app, real forms, CSRF on: the Options
step (mode, thresholds, the departments counted), two scanner files and typed lines into
one count, its review, the apply's confirmation of rows flagged for recount, the report,
and the valuation report. The bad input of each step is in test_inventory_app_input.py."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import Job, ProductChange
from tests.catalog_support import UPC_BUTTER, UPC_MILK, UPC_SOAP
from tests.functional.catalog_pages import form_posting_to, run_queued_jobs
from tests.functional.conftest import login
from tests.functional.inventory_pages import (
    count_of,
    save_departments,
    save_options,
    type_line,
    upload_scan,
    url,
)
from tests.functional.inventory_pages import testapp as testapp
from tests.operator_words import internal_keys_in

B, S, M = (upc.lstrip("0") for upc in (UPC_BUTTER, UPC_SOAP, UPC_MILK))


def test_an_operator_counts_two_departments_from_two_files_and_typed_lines(
    testapp: webtest.TestApp,
    shop: dict[str, Any],
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    data_set = shop["data_set"]
    login(testapp, "olga")
    options = testapp.get(url(data_set, "options"))
    assert "Replace, and zero the rest of the counted departments" in options.text
    assert (
        save_options(
            testapp, data_set, inventory_mode="zero_rest", inventory_threshold_units="5"
        ).status_int
        == 303
    )
    assert save_departments(testapp, data_set, "1", "2").status_int == 303
    boxes = testapp.get(url(data_set, "options")).forms["departments-departments"]
    assert [box.checked for box in boxes.fields["department"]] == [True, True]

    first = upload_scan(testapp, data_set, f"{UPC_BUTTER},3\n".encode(), "scan1.csv")
    assert first.status_int == 303
    assert first.location.endswith(url(data_set, "count"))
    assert "as batch #" in first.follow().text
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    second = upload_scan(
        testapp, data_set, f"UPC;Qty;Aisle\n{UPC_SOAP};2;B4\n{UPC_BUTTER};1;B4\n".encode(), "s2.txt"
    )
    assert "Added s2.txt" in second.follow().text
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    batch = count_of(dbsession, data_set)
    assert [f["name"] for f in batch.parameters["files"]] == ["scan1.csv", "s2.txt"]
    assert batch.parameters["mode"] == "zero_rest"
    assert batch.parameters["departments"] == [1, 2]

    added = type_line(testapp, data_set, UPC_MILK, "20", section="Cooler")
    assert added.status_int == 303
    page = added.follow()
    assert "Typed line 1: 20 units of" in page.text
    lines = page.pyquery("[data-testid=typed-lines]")
    assert M in lines.text()
    assert "Cooler" in lines.text()
    assert page.pyquery("input[data-scan=upc]").attr("autofocus")

    batch = count_of(dbsession, data_set)
    assert batch.status == "populated"
    review = testapp.get(url(data_set, "review"))
    assert "Counted lines" in review.text

    apply_page = testapp.get(url(data_set, "apply"))
    confirm = apply_page.pyquery("[data-testid=apply-confirm]")
    assert "flagged for recount" in confirm.text()
    form = form_posting_to(apply_page, "/apply/run")
    refused = form.submit(status=303).follow()
    assert "nothing was applied" in refused.text
    form = form_posting_to(testapp.get(url(data_set, "apply")), "/apply/run")
    form["apply_flagged"] = True
    form.submit(status=303)
    assert set(run_queued_jobs(settings, session_factory, tmp_path)) == {"succeeded"}
    dbsession.rollback()
    assert shop["butter"].on_hand == Decimal(4)
    assert shop["milk"].on_hand == Decimal(20)
    changes = dbsession.scalars(
        select(ProductChange).where(ProductChange.product_id == shop["butter"].id)
    ).all()
    (counted,) = [change for change in changes if change.field == "on_hand"]
    # The product's history names the count by its kind, not as a catalog.
    product = testapp.get(
        f"/apps/products/data-sets/{data_set.id}/steps/product?lookup.upc={UPC_BUTTER}"
    )
    assert product.pyquery("[data-testid=product-on-hand]").text() == "4"  # not "4.000"
    made_by = product.pyquery("[data-testid=product-change] a").eq(0).text()
    assert made_by.startswith(f"Inventory count #{counted.batch_id}, applied by job #")
    report = testapp.get(url(data_set, "report"))
    assert "What the count changed" in report.text
    files = {link.text: link.get("href") for link in report.pyquery("[data-testid=report-file]")}
    assert set(files) == {"CSV", "XLSX"}
    lines = testapp.get(files["CSV"]).text.lstrip("\ufeff").splitlines()
    assert lines[0] == (
        "UPC,Description,Department,Section,File,Line,On-hand before,Counted,New on-hand,"
        "Variance,Variance at cost,Variance at retail,What changed"
    )
    butter = next(line.split(",") for line in lines if ",Butter," in line)
    assert butter[0].endswith(UPC_BUTTER)
    assert (butter[2], Decimal(butter[8]), butter[12]) == ("Dairy", 4, "On-hand up")
    for step in ("options", "count", "review", "apply", "report", "batches", "reports"):
        text = testapp.get(url(data_set, step)).pyquery("main").text()
        assert internal_keys_in(text) == [], step


def test_a_recount_uploaded_on_count_replaces_the_flagged_products_lines(
    testapp: webtest.TestApp,
    shop: dict[str, Any],
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    data_set = shop["data_set"]
    login(testapp, "olga")
    save_options(testapp, data_set, inventory_threshold_units="5")
    upload_scan(testapp, data_set, f"{UPC_BUTTER},30\n{UPC_SOAP},1\n".encode(), "aisle.csv")
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    review = testapp.get(url(data_set, "review"))
    assert "count them again, then upload that file on Count as a recount" in review.text

    again = upload_scan(testapp, data_set, f"{UPC_BUTTER} 2\n".encode(), "re.txt", recount=True)
    assert "Added re.txt" in again.follow().text
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    batch = count_of(dbsession, data_set)
    assert [f.get("recount", False) for f in batch.parameters["files"]] == [False, True]
    assert (
        "re.txt · units · recount"
        in testapp.get(url(data_set, "count")).pyquery("[data-testid=count-files]").text()
    )
    assert batch.status_counts.get("replaced") == 1
    review = testapp.get(url(data_set, "review"))
    assert "Replaced by a recount" in review.text
    assert "Replaced by its recount in re.txt" in review.text

    form = form_posting_to(testapp.get(url(data_set, "apply")), "/apply/run")
    form.submit(status=303)
    assert set(run_queued_jobs(settings, session_factory, tmp_path)) == {"succeeded"}
    dbsession.rollback()
    assert shop["butter"].on_hand == Decimal(2)
    assert shop["soap"].on_hand == Decimal(1)


def test_the_valuation_report_runs_from_the_reports_step(
    testapp: webtest.TestApp,
    shop: dict[str, Any],
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    data_set = shop["data_set"]
    login(testapp, "olga")
    page = testapp.get(url(data_set, "reports"))
    assert "first of the month" in page.text
    link = page.pyquery("[data-testid=valuation-page]").attr("href")
    assert link == f"/apps/inventory/data-sets/{data_set.id}/reports/inventory_valuation"
    assert "Inventory valuation" in testapp.get(link).text
    ran = form_posting_to(page, "/reports/inventory_valuation/run").submit(status=303)
    assert "/jobs/" in ran.location
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    job = dbsession.scalars(select(Job).order_by(Job.id.desc())).first()
    assert job.kind == "report.inventory_valuation"
    # Where Run led, the report's files download at once.
    made = testapp.get(ran.location).pyquery("[data-testid=job-made-link]")
    files = {link.text: link.get("href") for link in made if link.text.startswith("Download")}
    assert {"Download CSV", "Download XLSX"} <= set(files)
    assert testapp.get(files["Download CSV"]).text.lstrip("\ufeff").startswith("Department")

    runs = testapp.get(link).pyquery("[data-testid=report-runs]").text()
    assert "No parameters" in runs
    assert "None" not in runs
