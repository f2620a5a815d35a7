"""A job that made something links to it, from its page and from the jobs list: the
data set an example or a workbook filled, a copy (for its members), an export; and the
data set's workbook export is listed on the Exports page like any export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.entry_points.queues import make_queue
from poser.models.orm import DataSet, Job, User
from poser.storage.settings import store_from_settings
from poser.tasks import jobs
from poser.tasks.datasets import create_data_set, set_member
from poser.tasks.generate import generate_products
from tests.catalog_support import HEADER, UPC_BUTTER
from tests.factories import make_user
from tests.functional.catalog_pages import (
    corner_shop,
    form_posting_to,
    run_queued_jobs,
    save_options,
    step_url,
    upload,
)
from tests.functional.conftest import login


@pytest.fixture
def people(dbsession: Session) -> dict[str, User]:
    return {"owner": make_user(dbsession, "owner"), "viewer": make_user(dbsession, "viewer")}


@pytest.fixture
def store(dbsession: Session, people: dict[str, User]) -> DataSet:
    data_set = create_data_set(dbsession, "Store", "products", people["owner"])
    set_member(data_set, people["viewer"], "viewer")
    generate_products(data_set, products=5, seed=3)
    dbsession.commit()
    return data_set


def _run(settings: dict[str, Any], session_factory: Any, tmp_path: Path, job_id: int) -> None:
    resources = {"files": store_from_settings(settings), "work_dir": tmp_path}
    queue = make_queue(settings)
    assert jobs.run(session_factory, queue, job_id, worker="t", resources=resources) == "succeeded"


def _settings_form(app: webtest.TestApp, data_set: DataSet, action: str) -> webtest.Form:
    page = app.get(f"/apps/products/data-sets/{data_set.id}/settings")
    return next(f for f in page.forms.values() if (f.action or "").endswith(f"/{action}"))


def _made(page: webtest.TestResponse) -> dict[str, str]:
    return {a.text(): a.attr("href") for a in page.pyquery("[data-testid=job-made-link]").items()}


def test_a_workbook_export_links_to_its_row_on_the_exports_page(
    testapp: webtest.TestApp,
    store: DataSet,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    login(testapp, "viewer")
    job_url = _settings_form(testapp, store, "export").submit(status=303).location
    _run(settings, session_factory, tmp_path, int(job_url.rsplit("/", 1)[-1]))
    page = testapp.get(job_url)
    assert page.pyquery("[data-testid=job-download]")
    made = _made(page)
    assert list(made) == ["See it on the Exports page"]
    assert "export_id" not in page.pyquery("[data-testid=job-result]").text()
    exports = testapp.get(made["See it on the Exports page"])
    anchor = made["See it on the Exports page"].partition("#")[2]
    row = exports.pyquery(f"#{anchor}")
    assert row.find("td").eq(1).text() == "Store: the whole data set"
    assert row.find("td").eq(3).text() == "Store"
    assert row.find("td").eq(6).text() == "viewer"
    assert testapp.get(row.find("[data-testid=export-file]").attr("href")).body[:2] == b"PK"
    listed = testapp.get("/jobs")
    assert _made(listed) == made


def test_a_copy_links_to_the_copy_for_its_members_only(
    testapp: webtest.TestApp,
    store: DataSet,
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    login(testapp, "owner")
    form = _settings_form(testapp, store, "copy")
    form["name"] = "What if"
    job_url = form.submit(status=303).location
    _run(settings, session_factory, tmp_path, int(job_url.rsplit("/", 1)[-1]))
    copy = dbsession.scalars(select(DataSet).where(DataSet.name == "What if")).one()
    made = _made(testapp.get(job_url))
    assert made == {"Open What if": f"/apps/products/data-sets/{copy.id}"}
    opened = testapp.get(made["Open What if"])
    assert opened.pyquery("[data-testid=breadcrumb-data-set]").text() == "What if"
    # The source's viewer sees the job, but the copy is not theirs to open.
    testapp.reset()
    login(testapp, "viewer")
    assert _made(testapp.get(job_url)) == {}
    assert _made(testapp.get("/jobs")) == {}


def test_loading_an_example_links_to_the_data_set_it_filled(
    testapp: webtest.TestApp,
    dbsession: Session,
    people: dict[str, User],
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    login(testapp, "owner")
    home = testapp.get("/apps/products")
    form = next(f for f in home.forms.values() if "example" in f.fields)
    job_url = form.submit(status=303).location
    job = dbsession.scalars(select(Job)).one()
    assert _made(testapp.get(job_url)) == {}  # not run yet: nothing made
    _run(settings, session_factory, tmp_path, job.id)
    made = _made(testapp.get(job_url))
    assert made == {"Open Sample Store": f"/apps/products/data-sets/{job.data_set_id}"}
    opened = testapp.get(made["Open Sample Store"])
    assert opened.pyquery("[data-testid=dashboard] h1").text() == "Sample Store"


def test_an_apply_links_to_its_change_report_and_the_report_to_its_export(
    testapp: webtest.TestApp,
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    shop = corner_shop(dbsession)
    data_set = shop["data_set"]
    login(testapp, "olga")
    assert save_options(testapp, data_set, catalog_vendor="ACME").status_int == 303
    upload(testapp, data_set, HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n")
    run_queued_jobs(settings, session_factory, tmp_path)
    form = form_posting_to(testapp.get(step_url(data_set, "apply")), "/apply/run")
    form.submit(status=303)
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded", "succeeded"]
    apply = dbsession.scalars(select(Job).where(Job.kind == "batches.execute")).one()
    made = _made(testapp.get(f"/jobs/{apply.id}"))
    assert list(made) == ["Its change report"]
    report = testapp.get(made["Its change report"])
    assert report.pyquery("h1").text().startswith("Write the")
    assert list(_made(report)) == ["Download CSV", "Download XLSX", "See it on the Exports page"]
