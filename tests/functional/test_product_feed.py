"""The storefront product feed through the whole app: from the Reports page to its
page, turning the nightly feed on and off with the form (and its CSRF token), writing
it now as a job, the latest file at its stable address for members only, and a
template the app dir holds, good or bad."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import DataSet, DataSetMember, Export, FeedRun
from poser.storage import store_from_settings
from poser.tasks.feeds.runs import feed_settings, run_nightly, save_feed_settings
from tests.factories import make_user
from tests.functional.catalog_pages import run_queued_jobs
from tests.functional.conftest import login
from tests.jobs_support import RecordingQueue
from tests.operator_words import assert_words_only
from tests.unit.tasks.feeds.feed_store import make_feed_store
from tests.unit.tasks.feeds.test_feed import HEADER, ROWS

TEMPLATE_KEY = "templates/product_feed.json"


@pytest.fixture
def feed_store(dbsession: Session) -> dict[str, Any]:
    """The feed store of the unit tests, with an editor, a viewer and an outsider."""
    data_set, _ = make_feed_store(dbsession)
    people = {name: make_user(dbsession, name) for name in ("eddie", "vera", "otto")}
    for name, role in (("eddie", "editor"), ("vera", "viewer")):
        dbsession.add(DataSetMember(data_set_id=data_set.id, user_id=people[name].id, role=role))
    dbsession.commit()
    return {"data_set": data_set, **people}


@pytest.fixture
def app_dir_template(settings: dict[str, Any]) -> Any:
    """Puts a feed template in the app dir's data/templates; removed after the test."""
    files = store_from_settings(settings)

    def put(template: Any) -> None:
        text = template if isinstance(template, str) else json.dumps(template)
        files.write(TEMPLATE_KEY, io.BytesIO(text.encode("utf-8")))

    yield put
    if files.exists(TEMPLATE_KEY):
        files.remove(TEMPLATE_KEY)


def _feed_url(data_set: DataSet) -> str:
    return f"/apps/products/data-sets/{data_set.id}/feed"


def _feed_page(app: webtest.TestApp, data_set: DataSet) -> webtest.TestResponse:
    reports = app.get(f"/apps/products/data-sets/{data_set.id}/reports")
    return reports.click(description="Storefront product feed", href=_feed_url(data_set) + "$")


def _csv(response: webtest.TestResponse) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"))))


def test_an_editor_turns_the_nightly_feed_on_and_off(
    testapp: webtest.TestApp, dbsession: Session, feed_store: dict[str, Any]
) -> None:
    data_set = feed_store["data_set"]
    login(testapp, "eddie")
    page = _feed_page(testapp, data_set)
    assert "The feed is not written at night." in page.text
    assert_words_only([page.pyquery("main").text()], "the feed's page")
    form = page.forms["feed-settings"]
    action = form.action
    # Without the page's CSRF token nothing is saved.
    testapp.post(action, {"product_feed_nightly": "true", "product_feed_keep": "3"}, status=400)
    form["product_feed_nightly"] = True
    form["product_feed_keep"] = "0"
    refused = form.submit("save", status=303).follow()
    assert "Keep from 1 to 365 files." in refused.pyquery("[data-testid=feed-settings]").text()
    dbsession.rollback()
    assert feed_settings(dbsession.get_one(DataSet, data_set.id)).nightly is False

    form = refused.forms["feed-settings"]
    form["product_feed_nightly"] = True
    form["product_feed_keep"] = "3"
    saved = form.submit("save", status=303).follow()
    assert "The feed is written every night; the last 3 are kept." in saved.text
    dbsession.rollback()
    settings = feed_settings(dbsession.get_one(DataSet, data_set.id))
    assert (settings.nightly, settings.keep) == (True, 3)
    assert "The feed is written every night (UTC); the last 3 files are kept." in saved.text

    form = saved.forms["feed-settings"]
    form["product_feed_nightly"] = False
    off = form.submit("save", status=303).follow()
    assert "The feed is not written at night." in off.text
    dbsession.rollback()
    assert feed_settings(dbsession.get_one(DataSet, data_set.id)).nightly is False


def test_a_viewer_sees_the_settings_but_cannot_change_them(
    testapp: webtest.TestApp, feed_store: dict[str, Any]
) -> None:
    data_set = feed_store["data_set"]
    login(testapp, "vera")
    page = _feed_page(testapp, data_set)
    assert "The feed is not written at night." in page.text
    assert "feed-run" not in page.forms
    assert "feed-settings" not in page.forms
    token = page.pyquery("input[name=csrf_token]").attr("value")
    testapp.post(
        _feed_url(data_set) + "/settings",
        {"csrf_token": token, "product_feed_nightly": "true", "product_feed_keep": "3"},
        status=403,
    )
    testapp.post(_feed_url(data_set) + "/run", {"csrf_token": token}, status=403)


def test_the_latest_file_is_at_one_address_for_members_only(
    testapp: webtest.TestApp,
    dbsession: Session,
    feed_store: dict[str, Any],
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    data_set = feed_store["data_set"]
    latest = _feed_url(data_set) + "/latest.csv"
    anonymous = testapp.get(latest, status=303)
    assert anonymous.location.split("?")[0].endswith("/login")

    login(testapp, "eddie")
    testapp.get(latest, status=404)  # nothing written yet
    page = _feed_page(testapp, data_set)
    assert "No feed has been written yet." in page.text
    job_page = page.forms["feed-run"].submit("run", status=303).follow()
    assert "Write the storefront product feed" in job_page.text
    # A second click while the first waits starts nothing.
    again = testapp.get(_feed_url(data_set)).forms["feed-run"].submit("run", status=303).follow()
    assert "It is already running: nothing more was started." in again.text
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]

    page = testapp.get(_feed_url(data_set))
    link = page.pyquery("[data-testid=feed-latest-link]")
    assert link.attr("href") == f"http://localhost{latest}"
    run = page.pyquery("[data-testid=feed-runs] tbody tr").eq(0)
    assert run.find("td").eq(1).text() == "eddie"
    assert run.find("td").eq(3).text() == "Done"
    assert run.find("[data-testid=feed-file]").text() == "product-feed.csv"
    assert "4 products" in page.text

    # Nightly, the next one: the same address answers the newer file.
    dbsession.rollback()
    save_feed_settings(dbsession.get_one(DataSet, data_set.id), True, 7)
    dbsession.get_one(DataSet, data_set.id).name = "Feed Store, renamed"
    dbsession.commit()
    assert run_nightly(dbsession, queue=RecordingQueue(), on="2026-03-04") == {"feeds_queued": 1}
    dbsession.commit()
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    dbsession.rollback()
    newest = dbsession.scalars(select(Export).order_by(Export.id.desc())).first()
    assert newest is not None
    assert newest.title == "Storefront product feed: Feed Store, renamed"

    testapp.reset()  # a new browser
    login(testapp, "vera")  # a viewer reads it too
    got = testapp.get(latest)
    assert got.content_type == "text/csv"
    assert got.headers["Cache-Control"] == "no-store"
    assert "product-feed.csv" in got.headers["Content-Disposition"]
    assert _csv(got) == [HEADER, *ROWS]
    page = testapp.get(_feed_url(data_set))
    assert "Nightly, 4 March 2026" in page.pyquery("[data-testid=feed-runs] tbody tr").eq(0).text()
    assert len(dbsession.scalars(select(FeedRun)).all()) == 2

    testapp.reset()
    login(testapp, "otto")  # not a member: to them it does not exist
    testapp.get(latest, status=404)
    testapp.get(_feed_url(data_set), status=404)


def test_a_template_in_the_app_dir_names_the_columns_and_a_bad_one_says_why(
    testapp: webtest.TestApp,
    feed_store: dict[str, Any],
    app_dir_template: Any,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    data_set = feed_store["data_set"]
    login(testapp, "eddie")
    app_dir_template({"title": "Feed", "columns": [{"key": "sku", "header": "SKU"}]})
    page = _feed_page(testapp, data_set)
    problem = page.pyquery("[data-testid=feed-template-problem]").text()
    assert "The feed cannot be written until its template is fixed." in problem
    assert "unknown column key 'sku'" in problem
    job = page.forms["feed-run"].submit("run", status=303).follow()
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["failed"]
    failed = testapp.get(job.request.path)
    assert "The feed was not written. Output template" in failed.text

    app_dir_template(
        {
            "title": "Online store",
            "columns": [
                {"key": "gtin", "header": "lookup_code"},
                {"key": "price", "header": "price"},
                {"key": "in_stock", "header": "available"},
            ],
        }
    )
    page = testapp.get(_feed_url(data_set))
    assert "Columns: lookup_code, price, available." in page.text
    page.forms["feed-run"].submit("run", status=303)
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    got = testapp.get(_feed_url(data_set) + "/latest.csv")
    assert _csv(got)[:2] == [
        ["lookup_code", "price", "available"],
        ["00000000004011", "0.59", "Yes"],
    ]
