"""A data set's reports through the whole app: from a step's Reports link to the form,
a run as a job, its files in each format, the past runs with their parameters in
words and who ran them, and Run again with the same parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.entry_points.queues import make_queue
from poser.models.orm import DataSet, Export, Job, ReportSchedule
from poser.storage import store_from_settings
from poser.tasks import jobs
from poser.tasks.datasets import set_member
from tests.factories import make_user
from tests.functional.conftest import login
from tests.operator_words import assert_words_only
from tests.unit.tasks.reports.small_store import make_small_store

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _run(settings: dict[str, Any], session_factory: Any, tmp_path: Path, job_url: str) -> None:
    resources = {"files": store_from_settings(settings), "work_dir": tmp_path}
    job_id = int(job_url.rsplit("/", 1)[-1])
    status = jobs.run(
        session_factory, make_queue(settings), job_id, worker="t", resources=resources
    )
    assert status == "succeeded"


def _reports_page(app: webtest.TestApp, data_set: DataSet) -> webtest.TestResponse:
    home = app.get(f"/apps/products/data-sets/{data_set.id}")
    return home.click(description="^Reports$", href=f"/data-sets/{data_set.id}/reports$")


def test_a_viewer_runs_a_report_downloads_it_and_runs_it_again(
    testapp: webtest.TestApp,
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    data_set, rows = make_small_store(dbsession)
    login(testapp, rows["alice"].username)  # a viewer: reading is all a report does
    reports = _reports_page(testapp, data_set)
    titles = [a.text() for a in reports.pyquery("[data-testid=report-list] .fw-semibold").items()]
    assert titles == [
        "Cost changes",
        "Inventory valuation",
        "Margin by department",
        "Products needing attention",
    ]
    page = reports.click("Cost changes")
    form = page.forms["run-report"]
    form["start"], form["end"] = "2026-03-05", "2026-03-01"
    refused = form.submit("run", status=303).follow()
    assert "The period ends before it starts" in refused.text
    assert dbsession.scalars(select(Job).where(Job.kind == "report.cost_changes")).all() == []

    form = refused.forms["run-report"]
    form["start"], form["end"] = "2026-03-01", "2026-03-05"
    job_url = form.submit("run", status=303).location
    _run(settings, session_factory, tmp_path, job_url)
    job_page = testapp.get(job_url)
    assert "Report: Cost changes" in job_page.text

    page = testapp.get(page.request.path)
    run = page.pyquery("[data-testid=report-runs] tbody tr").eq(0)
    assert "From: 1 March 2026" in run.text()
    assert "To: 5 March 2026" in run.text()
    assert rows["alice"].username in run.text()
    links = {a.text(): a.attr("href") for a in run.find("[data-testid=report-file]").items()}
    assert list(links) == ["CSV", "XLSX", "HTML"]
    csv_file = testapp.get(links["CSV"])
    assert csv_file.body.decode("utf-8-sig").splitlines()[0].startswith("Changed (UTC),UPC")
    assert len(csv_file.body.decode("utf-8-sig").splitlines()) == 4  # header and 3 changes
    assert testapp.get(links["XLSX"]).content_type == XLSX_TYPE
    assert "<h1>Cost changes</h1>" in testapp.get(links["HTML"]).text
    assert_words_only([page.pyquery("main").text()], "the report's page")
    listed = testapp.get(reports.request.path).pyquery("[data-testid=report-runs] tbody tr")
    assert "Cost changes" in listed.eq(0).text()

    again = next(f for f in page.forms.values() if (f.action or "").endswith("/again"))
    second_url = again.submit("again", status=303).location
    assert second_url != job_url
    dbsession.rollback()  # a fresh look at what the app committed
    second = dbsession.get_one(Job, int(second_url.rsplit("/", 1)[-1]))
    first = dbsession.get_one(Job, int(job_url.rsplit("/", 1)[-1]))
    assert (
        second.parameters
        == first.parameters
        == {"values": {"start": "2026-03-01", "end": "2026-03-05"}}
    )
    assert second.user_id == rows["alice"].id

    exports = testapp.get("/exports")
    export = dbsession.scalars(select(Export).where(Export.export_type == "cost_changes")).one()
    row = exports.pyquery(f"#export-{export.id}")
    assert row.find("td").eq(2).text() == "Cost changes"
    assert_words_only([exports.pyquery("main").text()], "the Exports page")


def test_a_report_the_data_set_has_not_and_a_run_of_another_data_set_are_not_found(
    testapp: webtest.TestApp, dbsession: Session
) -> None:
    data_set, rows = make_small_store(dbsession)
    other, _ = make_small_store(dbsession, "Other Store")
    elsewhere = Job(kind="report.margin_by_department", data_set_id=other.id, status="succeeded")
    dbsession.add(elsewhere)
    dbsession.commit()
    login(testapp, rows["alice"].username)
    base = f"/apps/products/data-sets/{data_set.id}/reports"
    testapp.get(f"{base}/no_such_report", status=404)
    testapp.get(f"/apps/products/data-sets/{other.id}/reports", status=404)  # not a member
    page = testapp.get(f"{base}/margin_by_department")
    token = page.forms["run-report"]["csrf_token"].value
    testapp.post(
        f"{base}/margin_by_department/runs/{elsewhere.id}/again", {"csrf_token": token}, status=404
    )


def test_an_editor_schedules_a_report_and_a_viewer_sees_the_schedule_only(
    testapp: webtest.TestApp, dbsession: Session
) -> None:
    data_set, rows = make_small_store(dbsession)
    editor = make_user(dbsession, "edna")
    set_member(data_set, editor, "editor")
    dbsession.commit()
    login(testapp, "edna")
    path = f"/apps/products/data-sets/{data_set.id}/reports/cost_changes"
    page = testapp.get(path)
    assert "Not scheduled." in page.pyquery("[data-testid=report-schedule]").text()
    form = page.forms["schedule-report"]
    assert [name for name in form.fields if not name.startswith(("_", "csrf", "schedule"))] == [
        "frequency"
    ]  # the period is the schedule's: the week before each Monday
    form["frequency"] = "weekly"
    page = form.submit("schedule", status=303).follow()
    assert "Cost changes runs every Monday." in page.text
    described = page.pyquery("[data-testid=report-schedule]").text()
    assert described.startswith("Every Monday, next on ")
    assert "run as edna" in described
    dbsession.rollback()
    schedule = dbsession.scalars(select(ReportSchedule)).one()
    assert (schedule.frequency, schedule.user_id, schedule.parameters) == ("weekly", editor.id, {})

    testapp.reset()  # a new browser, no one logged in
    login(testapp, rows["alice"].username)  # a viewer
    page = testapp.get(path)
    assert "run as edna" in page.pyquery("[data-testid=report-schedule]").text()
    assert "schedule-report" not in page.forms
