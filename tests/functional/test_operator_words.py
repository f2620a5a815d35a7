"""Operators read words (issue 20, item 9): the pages and files of a catalog's journey
and of a workbook export name statuses, results, types and sizes in words, never by
internal keys, true/false, storage paths or byte counts."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import webtest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests.functional.catalog_pages import (
    CATALOG_FILE,
    apply_form,
    corner_shop,
    form_posting_to,
    run_queued_jobs,
    save_options,
    step_url,
    upload,
)
from tests.functional.conftest import login
from tests.operator_words import assert_words_only, internal_keys_in


@pytest.fixture
def store(dbsession: Session) -> dict[str, Any]:
    return corner_shop(dbsession)


def _text(page: webtest.TestResponse) -> str:
    return str(page.pyquery("main").text() or page.pyquery("body").text())


def _applied(app: webtest.TestApp, store: dict[str, Any], jobs: Any) -> None:
    """The shop's catalog uploaded, read, its row in error acknowledged and applied."""
    data_set = store["data_set"]
    save_options(app, data_set, catalog_vendor="ACME", catalog_tolerance="20")
    upload(app, data_set, CATALOG_FILE)
    assert jobs() == ["succeeded"]
    form_posting_to(app.get(step_url(data_set, "apply")), "/batch/acknowledge").submit(status=303)
    apply_form(app.get(step_url(data_set, "apply"))).submit(status=303)
    assert jobs() == ["succeeded", "succeeded"]  # the apply, then its report


def test_the_keys_the_check_looks_for_are_found() -> None:
    shown = "history_rows 3 · cost_up · batches.execute · true · exports/data-sets/2/x.xlsx"
    assert internal_keys_in(shown) == [
        "history_rows",
        "cost_up",
        "batches.execute",
        "true",
        "exports/data-sets/2",
    ]
    assert internal_keys_in("Cost up · Changes written · catalog-batch-3-changes.csv") == []


def test_a_catalogs_pages_and_change_report_use_words(
    testapp: webtest.TestApp, store: dict[str, Any], settings: Any, session_factory: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    login(testapp, "olga")
    _applied(testapp, store, lambda: run_queued_jobs(settings, session_factory, tmp_path))
    data_set = store["data_set"]

    # The review grid's download names each row's status as the page does.
    review = testapp.get(step_url(data_set, "review"))
    for fmt in ("csv", "xlsx"):
        link = review.pyquery(f"[data-widget=rows] [data-testid=grid-{fmt}]").attr("href")
        download = testapp.get(link)
        if fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(download.body.decode("utf-8-sig"))))
            statuses = {row["Status"] for row in rows}
        else:
            sheet = load_workbook(io.BytesIO(download.body), read_only=True).active
            header, *cells = list(sheet.iter_rows(values_only=True))
            statuses = {row[header.index("Status")] for row in cells}
        assert statuses == {"Cost up", "Cost down", "New item", "Error"}, fmt

    # An applied batch is done for good, and its Apply step says so: not "cannot run yet".
    apply_page = testapp.get(step_url(data_set, "apply"))
    applied = apply_page.pyquery("[data-testid=batch-applied]").text()
    assert applied.startswith("This batch was applied on ")
    assert applied.endswith("; it will not run again.")
    assert "cannot run yet" not in apply_page.text
    assert_words_only([_text(apply_page)], "the Apply step")

    report = testapp.get(step_url(data_set, "report"))
    summary = report.pyquery("[data-testid=execution-summary]")
    labels = [dt.text for dt in summary.find("dt")]
    assert "Changes written to product histories" in labels
    assert "Rows in error, skipped" in labels
    assert all("_" not in label for label in labels), labels
    assert_words_only([_text(report)], "the Report step")

    link = next(
        a.attrib["href"]
        for a in report.pyquery("[data-testid=report-file]")
        if a.attrib["href"].endswith(".csv")
    )
    rows = list(csv.DictReader(io.StringIO(testapp.get(link).body.decode("utf-8-sig"))))
    assert {row["Status"] for row in rows} == {"Cost up", "Cost down", "New item", "Error"}
    assert {row["Flagged"] for row in rows} <= {"Yes", "No"}
    assert_words_only([",".join(row.values()) for row in rows], "the change report")

    apply_job = testapp.get("/jobs").pyquery("a[href^='/jobs/']")
    for anchor in apply_job.items():
        page = testapp.get(anchor.attr("href"))
        result = page.pyquery("[data-testid=job-result]")
        assert_words_only([_text(page)], f"job page {anchor.attr('href')}")
        assert all("_" not in dt.text for dt in result.find("dt"))
    assert_words_only([_text(testapp.get("/jobs"))], "the Jobs page")

    exports = testapp.get("/exports")
    assert "Catalog change report" in exports.pyquery("[data-testid=exports-table]").text()
    assert_words_only([_text(exports)], "the Exports page")


def test_a_workbook_exports_job_page_names_its_size_in_words(
    testapp: webtest.TestApp, store: dict[str, Any], settings: Any, session_factory: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    login(testapp, "olga")
    data_set = store["data_set"]
    settings_page = testapp.get(f"/apps/products/data-sets/{data_set.id}/settings")
    form = next(f for f in settings_page.forms.values() if (f.action or "").endswith("/export"))
    job_url = form.submit(status=303).location
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    page = testapp.get(job_url)
    result = dict(
        zip(
            [dt.text for dt in page.pyquery("[data-testid=job-result] dt")],
            [dd.text for dd in page.pyquery("[data-testid=job-result] dd")],
            strict=True,
        )
    )
    assert result["File"].endswith(".xlsx")
    assert result["Size"].endswith(" KB"), result  # a workbook of a few products
    assert "bytes" not in page.pyquery("[data-testid=job-result]").text()
    assert_words_only([_text(page)], "the export's job page")
    exports = testapp.get("/exports", params={"type": "workbook"})
    assert "Data set workbook" in exports.pyquery("#type option[selected]").text()
    assert_words_only([_text(exports)], "the Exports page")


def test_the_margins_chart_draws_each_departments_target_and_marks_those_under_it(
    testapp: webtest.TestApp, store: dict[str, Any], dbsession: Session
) -> None:
    # Dairy: butter 60 % and milk 40 %, 50 % on average, under its own 55 %; Health:
    # soap 70 % and the other item 80 %, against the data set's 30 % (the default).
    store["dairy"].target_margin = Decimal("55.00")
    dbsession.commit()
    login(testapp, "olga")
    page = testapp.get(f"/apps/products/data-sets/{store['data_set'].id}/steps/margins")
    rows = [
        [cell.text_content() for cell in row]
        for row in page.pyquery("[data-testid=chart-margins-table] tr")
    ]
    assert rows == [
        ["Label", "Average margin", "Target", "Against target"],
        ["Dairy", "50.00 %", "55.00 %", "Under target"],
        ["Health", "75.00 %", "30.00 %", "At or above target"],
    ]
    data = json.loads(page.pyquery("[data-testid=chart-margins]").attr("data-chart"))
    assert [entry["text"] for entry in data["legend"]] == [
        "At or above target",
        "Under target",
        "Target",
    ]
    bars, targets = data["series"]
    assert bars["colours"][0] != bars["colours"][1]  # Dairy's bar is not Health's colour
    assert targets["role"] == "line"
    assert targets["values"] == [55.0, 30.0]
