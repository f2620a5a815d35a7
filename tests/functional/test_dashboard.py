"""A data set's dashboard through the whole app: what it lists, its figures (the small
store's, worked out by hand in tests/unit/models/data_extraction/test_dashboard.py),
every link followed to a page that answers, a big data set's figures from their job,
and no dashboard for anyone who is not a member."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session

import poser.apps.gui.dashboard as dashboard_page
from poser.models.data_extraction.dashboard import SHOWN
from poser.models.orm import DataSet, DataSetMember, Export, Job
from poser.tasks.product_history import edit_on_page
from poser.tasks.products import update_product
from tests.catalog_support import HEADER
from tests.factories import make_user
from tests.functional.catalog_pages import run_queued_jobs, save_options, upload
from tests.functional.conftest import login
from tests.operator_words import assert_words_only
from tests.unit.tasks.reports.small_store import make_small_store, upc


def _home(data_set: DataSet, app: str = "products") -> str:
    return f"/apps/{app}/data-sets/{data_set.id}"


def _texts(page: webtest.TestResponse, selector: str) -> list[str]:
    return [item.text() for item in page.pyquery(selector).items()]


def _editor(dbsession: Session, data_set: DataSet) -> str:
    editor = make_user(dbsession, f"eddie-{data_set.id}")
    dbsession.add(DataSetMember(data_set_id=data_set.id, user_id=editor.id, role="editor"))
    dbsession.commit()
    return editor.username


def _run_report(testapp: webtest.TestApp, data_set: DataSet, name: str) -> None:
    page = testapp.get(f"{_home(data_set)}/reports/{name}")
    page.forms["run-report"].submit("run", status=303)


def test_the_dashboard_shows_what_needs_attention_and_every_link_answers(
    testapp: webtest.TestApp,
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    data_set, _ = make_small_store(dbsession)
    login(testapp, _editor(dbsession, data_set))
    empty = testapp.get(_home(data_set))
    assert _texts(empty, "[data-testid=no-batches]") == ["No batch is waiting."]

    # A vendor's catalog, read and waiting; a report run; the data set's workbook.
    assert save_options(testapp, data_set, catalog_vendor="ACME").status_int == 303
    upload(testapp, data_set, HEADER + f"{upc(1)},A-1,Product 1,,,12,66.00\n")
    _run_report(testapp, data_set, "products_needing_attention")
    settings_page = testapp.get(f"{_home(data_set)}/settings")
    settings_page.forms["export"].submit("submit", status=303)
    assert set(run_queued_jobs(settings, session_factory, tmp_path)) == {"succeeded"}
    # A job that failed this week and one still running.
    for status in ("failed", "running"):
        dbsession.add(Job(kind="datasets.export", data_set_id=data_set.id, status=status))
    dbsession.commit()

    page = testapp.get(_home(data_set))
    assert page.pyquery("[data-testid=dashboard] h1").text() == "Small Store"
    figures = {
        name: page.pyquery(f"[data-testid=figure-{name}] [data-testid=figure-link]").text()
        for name in ("products", "value_at_cost", "average_margin", "needing_attention")
    }
    assert figures == {
        "products": "7",
        "value_at_cost": "66.00",
        "average_margin": "30.00 %",
        "needing_attention": "4",
    }
    assert not page.pyquery("[data-testid=figures-state]")  # a small data set: read live
    chart = page.pyquery("[data-testid=chart-value-by-department-table] tbody tr")
    assert [row.text().split("\n") for row in chart.items()] == [
        ["Dairy", "27.50"],
        ["Produce", "38.50"],
    ]
    assert _texts(page, "[data-testid=batch-counts] li") == ["Vendor catalog: 1 ready to review"]
    assert _texts(page, "[data-testid=waiting-batches] [data-testid=batch-link]") == [
        "Review",
        "Apply",
    ]
    assert _texts(page, "[data-testid=dashboard-jobs-failed] [data-testid=job-link]")[0].startswith(
        "Export the data set to Excel #"
    )
    assert len(page.pyquery("[data-testid=dashboard-jobs-unfinished] [data-testid=job-link]")) == 1
    assert _texts(page, "[data-testid=report-link]") == ["Products needing attention"]
    assert _texts(page, "[data-testid=report-file]") == ["CSV", "XLSX", "HTML"]
    workbook = dbsession.scalars(select(Export).where(Export.export_type == "workbook")).one()
    assert _texts(page, "[data-testid=export-link]") == workbook.files
    assert_words_only([page.pyquery("main").text()], "the dashboard")

    # Every link leads to a page that answers: the batch's review and apply (through
    # the list's "open", which shows that batch on the step), each job, report and file.
    links = {a.attr("href") for a in page.pyquery("[data-testid=dashboard] a").items()}
    assert len(links) >= 14
    for link in sorted(links):
        response = testapp.get(link, status="*")
        while response.status_int in (302, 303):
            response = response.follow()
        assert response.status_int == 200, link
    review, apply = (a.attr("href") for a in page.pyquery("[data-testid=batch-link]").items())
    assert testapp.get(review, status=303).follow().request.path.endswith("/steps/review")
    applying = testapp.get(apply, status=303).follow()
    assert applying.request.path == f"/apps/catalog/data-sets/{data_set.id}/steps/apply"
    attention = page.pyquery("[data-testid=figure-needing_attention] a").attr("href")
    assert attention.endswith("/reports/products_needing_attention")


def test_the_catalog_application_shows_the_same_dashboard(
    testapp: webtest.TestApp, dbsession: Session
) -> None:
    data_set, rows = make_small_store(dbsession)
    login(testapp, rows["alice"].username)  # a viewer
    page = testapp.get(_home(data_set, "catalog"))
    assert page.pyquery("[data-testid=figure-products]").text() == "Products\n7"
    products = page.pyquery("[data-testid=figure-products] a").attr("href")
    assert products == f"/apps/products/data-sets/{data_set.id}/steps/catalog"
    assert page.pyquery("[data-testid=data-set-home]").attr("aria-current") == "page"


def test_a_big_data_set_has_its_figures_worked_out_by_a_job(
    testapp: webtest.TestApp,
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dashboard_page, "LIVE_PRODUCTS", 5)  # the small store's 7 are "big"
    data_set, rows = make_small_store(dbsession)
    login(testapp, rows["alice"].username)  # a viewer may have them worked out
    page = testapp.get(_home(data_set))
    assert not page.pyquery("[data-testid=figure-products]")
    assert "not run yet" in page.pyquery("[data-testid=figures-state]").text()
    page.forms["figures"].submit("submit", status=303)
    working = testapp.get(_home(data_set))
    assert "Being worked out now" in working.pyquery("[data-testid=figures-state]").text()
    assert "figures" not in working.forms  # not twice at once
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]

    page = testapp.get(_home(data_set))
    assert page.pyquery("[data-testid=figure-value_at_cost] a").text() == "66.00"
    assert page.pyquery("[data-testid=figure-needing_attention] a").text() == "4"
    assert "Worked out at" in page.pyquery("[data-testid=figures-state]").text()
    assert not page.pyquery("[data-testid=figures-stale]")

    source = edit_on_page(None, "products", "catalog")
    update_product(data_set, rows["p4"].id, {"regular_price": "2.00"}, source=source)
    dbsession.commit()
    stale = testapp.get(_home(data_set))
    assert stale.pyquery("[data-testid=figures-stale]").text() == "the products changed since"
    assert stale.pyquery("[data-testid=figure-needing_attention] a").text() == "4"  # as kept
    assert "figures" in stale.forms


def test_only_members_see_a_data_sets_dashboard(
    testapp: webtest.TestApp, dbsession: Session
) -> None:
    data_set, rows = make_small_store(dbsession)
    make_user(dbsession, "stranger")
    login(testapp, "stranger")
    testapp.get(_home(data_set), status=404)
    testapp.get(_home(data_set, "catalog"), status=404)
    token = testapp.get("/apps/products").forms["empty"]["csrf_token"].value
    testapp.post(f"{_home(data_set)}/figures", {"csrf_token": token}, status=404)
    testapp.reset()
    login(testapp, rows["alice"].username)
    testapp.get(_home(data_set), status=200)


def test_more_jobs_than_shown_lead_to_the_jobs_page_filtered_alike(
    testapp: webtest.TestApp, dbsession: Session
) -> None:
    data_set, rows = make_small_store(dbsession)
    other, _ = make_small_store(dbsession, name="Other Store")
    waiting = [Job(kind="dashboard.figures", data_set_id=data_set.id) for _ in range(SHOWN + 2)]
    elsewhere = Job(kind="dashboard.figures", data_set_id=other.id)
    finished = Job(kind="dashboard.figures", data_set_id=data_set.id, status="succeeded")
    dbsession.add_all([*waiting, elsewhere, finished])
    dbsession.commit()
    login(testapp, rows["alice"].username)
    page = testapp.get(_home(data_set))
    more = page.pyquery("[data-testid=dashboard-jobs-unfinished] a:contains('more on the Jobs')")
    assert more.text() == "2 more on the Jobs page"
    listed = testapp.get(more.attr("href"))
    shown = [int(a.text) for a in listed.pyquery("[data-testid=jobs-table] tbody a")]
    assert shown == sorted((job.id for job in waiting), reverse=True)
