"""The app framework through the whole WSGI app: pages, widgets, data sets, isolation."""

from __future__ import annotations

import io
from typing import Any

import pytest
import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session

import tests.sample_jobs  # noqa: F401 - registers the sample job kinds
from poser.entry_points.queues import make_queue
from poser.models.orm import DataSet, Job, ParameterValue, Upload, User
from poser.storage import store_from_settings
from poser.tasks import jobs
from poser.tasks.datasets import create_data_set, set_member
from tests.factories import make_user
from tests.functional.conftest import StrictTestApp, login
from tests.functional.form_support import alerts, field_error, refused, reload_shows_no_message

BASE = "/apps/workflow/data-sets/{id}"


@pytest.fixture
def owner(dbsession: Session) -> User:
    return make_user(dbsession, "olive")


@pytest.fixture
def data_set(dbsession: Session, owner: User) -> DataSet:
    data_set = create_data_set(dbsession, "North Store", "workflow", owner)
    dbsession.commit()
    return data_set


def _url(data_set: DataSet, suffix: str = "") -> str:
    return BASE.format(id=data_set.id) + suffix


def _states(page: webtest.TestResponse) -> dict[str, str | None]:
    return {
        item.find("a").text: badge.get("data-step-state") if badge is not None else None
        for item in page.pyquery("[data-testid=step-list] li")
        for badge in [item.find("span")]
    }


def test_creating_a_data_set_opens_its_first_step(testapp: webtest.TestApp, owner: User) -> None:
    login(testapp, "olive")
    home = testapp.get("/apps/workflow")
    assert "No data sets yet" in home.text
    form = home.forms["empty"]
    form["name"] = "   "
    page = refused(form.submit(status=303), "/apps/workflow")
    assert field_error(page, "name", "empty") == "A data set needs a name."
    assert not page.pyquery("[data-form='import']")  # its data sets keep no tables
    form = page.forms["empty"]
    form["name"] = "S" * 201
    page = refused(form.submit(status=303), "/apps/workflow")
    assert field_error(page, "name", "empty") == "Data set names are at most 200 characters."
    assert "No data sets yet" in page.text  # none was made
    form = page.forms["empty"]
    assert form["name"].value == "S" * 201  # as typed
    form["name"] = "  South   Store "
    page = form.submit(status=303).follow()
    assert "Created South Store." in page.text
    assert page.pyquery("h1").text() == "Options"
    assert page.pyquery("[data-testid=step-help]").text() == "Set the options before running."
    # Only a step something can complete has a state.
    assert _states(page) == {"Options": None, "Upload": None, "Apply": "not started"}
    assert [a.text for a in page.pyquery(".breadcrumb a")] == [
        "Applications",
        "Sample Workflow",
        "South Store",
    ]


def test_markdown_is_rendered_and_raw_html_is_not(
    testapp: webtest.TestApp, data_set: DataSet
) -> None:
    login(testapp, "olive")
    page = testapp.get(_url(data_set, "/steps/options"))
    notes = page.pyquery("[data-widget=notes]")
    assert notes.find("strong").text() == "Tip:"
    assert not notes.find("b")
    assert "<b>raw html</b>" in notes.text()


def test_parameters_validate_and_nothing_is_stored_on_errors(
    testapp: webtest.TestApp, data_set: DataSet, dbsession: Session
) -> None:
    login(testapp, "olive")
    page = testapp.get(_url(data_set, "/steps/options"))
    form = page.forms["parameters-options"]
    assert form["tolerance"].value == "5"
    form["tolerance"] = "-1"
    form["steps"] = "many"
    page = refused(form.submit("save", status=303), _url(data_set, "/steps/options"))
    assert field_error(page, "tolerance") == "Must be more than zero."
    assert field_error(page, "steps") == '"many" is not a number'
    assert not field_error(page, "effective")
    form = page.forms["parameters-options"]
    assert (form["tolerance"].value, form["steps"].value) == ("-1", "many")  # as typed
    assert dbsession.scalars(select(ParameterValue)).all() == []
    again = reload_shows_no_message(testapp, page).forms["parameters-options"]
    assert (again["tolerance"].value, again["steps"].value) == ("5", "3")  # as stored

    form["tolerance"] = "2.5"
    form["steps"] = "4"
    form["effective"] = "2026-12-01"
    form["new_items"] = "skip"
    saved = form.submit("save", status=303).follow()
    assert "Saved." in saved.text
    dbsession.rollback()  # a fresh snapshot: see what the app committed
    stored = dict(dbsession.execute(select(ParameterValue.name, ParameterValue.value)).all())
    assert stored == {
        "vendor": "ACME", "tolerance": "2.5", "steps": 4, "effective": "2026-12-01",
        "new_items": "skip", "notify": False,
    }  # fmt: skip
    assert saved.forms["parameters-options"]["effective"].value == "2026-12-01"


def test_a_job_completes_its_step_and_changed_inputs_make_it_stale(
    testapp: webtest.TestApp,
    data_set: DataSet,
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
) -> None:
    login(testapp, "olive")
    apply = testapp.get(_url(data_set, "/steps/apply"))
    assert "Save the options first." in apply.pyquery("[data-testid=blockers]").text()
    assert apply.pyquery("[data-form=execute] button").attr("disabled") is not None

    options = testapp.get(_url(data_set, "/steps/options")).forms["parameters-options"]
    options.submit("save", status=303)
    apply = testapp.get(_url(data_set, "/steps/apply"))
    apply.forms[1].submit(status=303)
    job = dbsession.scalars(select(Job)).one()
    assert job.parameters == {"steps": 3, "delay": 0.0, "_step": "workflow/apply"}
    assert jobs.run(session_factory, make_queue(settings), job.id, worker="test") == "succeeded"

    page = testapp.get(_url(data_set, "/steps/apply"))
    assert _states(page)["Apply"] == "done"
    assert page.pyquery("[data-testid=job-status]").attr("data-status") == "succeeded"
    form = testapp.get(_url(data_set, "/steps/options")).forms["parameters-options"]
    form["steps"] = "5"
    form.submit("save", status=303)
    assert _states(testapp.get(_url(data_set, "/steps/apply")))["Apply"] == "stale"


def _upload(
    app: webtest.TestApp, data_set: DataSet, name: str, content: bytes, status: int = 303
) -> Any:
    page = app.get(_url(data_set, "/steps/upload"))
    form = page.forms["upload-file"]
    form["file"] = webtest.Upload(name, content)
    return form.submit("upload", status=status)


def test_uploads_are_checked_by_content_and_recorded(
    testapp: webtest.TestApp, data_set: DataSet, dbsession: Session, settings: dict[str, Any]
) -> None:
    login(testapp, "olive")
    ok = _upload(
        testapp, data_set, "catalog.csv", b"UPC,Case Cost\n012345678905,12.50\n", 303
    ).follow()
    assert "Uploaded catalog.csv (33 bytes)." in ok.text
    assert ok.pyquery("[data-testid=uploads] th").eq(1).text() == "Size"
    assert ok.pyquery("[data-testid=uploads] td").eq(1).text() == "33 bytes"
    upload = dbsession.scalars(select(Upload)).one()
    assert (upload.filename, upload.size, upload.content_type) == ("catalog.csv", 33, "text/csv")
    assert len(upload.sha256) == 64
    stored = settings["poser.appdir"] + "/data/" + upload.key
    with open(stored, "rb") as handle:
        assert handle.read().startswith(b"UPC,Case Cost")

    back = _url(data_set, "/steps/upload")
    fake = refused(_upload(testapp, data_set, "report.csv", b"\x00\x01\x02binary\xff" * 50), back)
    assert "This file is not a CSV file or an Excel (.xlsx) workbook" in field_error(fake, "file")
    empty = refused(_upload(testapp, data_set, "empty.csv", b""), back)
    assert field_error(empty, "file") == "The file is empty."
    not_xlsx = refused(_upload(testapp, data_set, "book.xlsx", b"PK\x03\x04 not a workbook"), back)
    assert "not a CSV file" in field_error(not_xlsx, "file")
    reload_shows_no_message(testapp, not_xlsx)
    dbsession.rollback()
    assert len(dbsession.scalars(select(Upload)).all()) == 1


def test_uploads_over_the_limit_are_refused(
    make_app: Any, data_set: DataSet, dbsession: Session
) -> None:
    app = StrictTestApp(
        make_app(**{"poser.upload.max_bytes": "1000"}), extra_environ={"REMOTE_ADDR": "203.0.113.9"}
    )
    login(app, "olive")
    response = _upload(app, data_set, "big.csv", b"UPC\n" + b"012345678905\n" * 200)
    page = refused(response, _url(data_set, "/steps/upload"))
    assert field_error(page, "file") == "The file is larger than the limit of 1,000 bytes."
    assert dbsession.scalars(select(Upload)).all() == []


def test_viewers_see_but_cannot_change(
    testapp: webtest.TestApp, data_set: DataSet, dbsession: Session
) -> None:
    viewer = make_user(dbsession, "vera")
    set_member(dbsession.merge(data_set), viewer, "viewer")
    dbsession.commit()
    login(testapp, "vera")
    page = testapp.get(_url(data_set, "/steps/options"))
    assert not page.pyquery("[data-widget=options] button")
    token = page.forms[0]["csrf_token"].value
    testapp.post(
        _url(data_set, "/steps/options/options/save"),
        {"csrf_token": token, "steps": "9"},
        status=403,
    )
    testapp.post(_url(data_set, "/steps/apply/run/run"), {"csrf_token": token}, status=403)
    testapp.post(_url(data_set, "/rename"), {"csrf_token": token, "name": "Mine"}, status=403)
    assert dbsession.scalars(select(ParameterValue)).all() == []


def test_other_users_and_other_apps_get_404(
    testapp: webtest.TestApp, data_set: DataSet, dbsession: Session
) -> None:
    make_user(dbsession, "otto")
    login(testapp, "otto")
    for suffix in (
        "",
        "/settings",
        "/steps/options",
        "/steps/upload/file/upload",
        "/steps/options/options/save",
    ):
        testapp.get(_url(data_set, suffix), status=404)
    assert "North Store" not in testapp.get("/apps/workflow").text
    testapp.reset()
    login(testapp, "olive")
    testapp.get(f"/apps/sample_catalog/data-sets/{data_set.id}", status=404)
    testapp.get(_url(data_set, "/steps/nowhere"), status=404)
    testapp.get(_url(data_set, "/steps/options/nowidget/save"), status=404)
    testapp.get("/apps/no-such-app", status=404)


def test_rename_share_and_delete(
    testapp: webtest.TestApp, data_set: DataSet, dbsession: Session, settings: dict[str, Any]
) -> None:
    make_user(dbsession, "sara")
    files = store_from_settings(settings)
    uploaded = f"uploads/{data_set.id}/1/list.csv"
    files.write(uploaded, io.BytesIO(b"upc\n1\n"))
    data_set_id = data_set.id
    login(testapp, "olive")
    settings_page = testapp.get(_url(data_set, "/settings"))

    def form(page: webtest.TestResponse, name: str) -> webtest.Form:
        return next(f for f in page.forms.values() if f.action.endswith("/" + name))

    rename = form(settings_page, "rename")
    rename["name"] = "North Store 2"
    page = rename.submit(status=303).follow()
    assert page.pyquery("h1").text().startswith("North Store 2")

    back = _url(data_set, "/settings")
    rename = form(page, "rename")
    rename["name"] = "N" * 201
    page = refused(rename.submit(status=303), back)
    assert field_error(page, "name", "rename") == "Data set names are at most 200 characters."
    assert not field_error(page, "name", "copy")
    assert form(page, "rename")["name"].value == "N" * 201  # as typed
    page = reload_shows_no_message(testapp, page)
    assert form(page, "rename")["name"].value == "North Store 2"  # as it is

    share = form(page, "share")
    share["username"], share["role"] = "nobody", "editor"
    page = refused(share.submit(status=303), back)
    assert field_error(page, "username", "share") == "There is no active user with that name."
    kept = form(page, "share")
    assert (kept["username"].value, kept["role"].value) == ("nobody", "editor")
    share = form(page, "share")
    share["username"], share["role"] = "SARA", "editor"
    page = share.submit(status=303).follow()
    assert alerts(page, "success") == "sara is now editor."
    rows = page.pyquery("[data-testid=members] tr")
    assert [[cell.text_content().strip() for cell in row.findall("td")] for row in rows] == [
        ["olive", "owner", "remove"],
        ["sara", "editor", "remove"],
    ]  # fmt: skip

    def unshare(page: webtest.TestResponse, username: str) -> webtest.Form:
        return next(
            f
            for f in page.forms.values()
            if f.action.endswith("/unshare") and f["username"].value == username
        )

    last_owner = unshare(page, "olive")
    page = refused(last_owner.submit(status=303), back)
    assert "at least one owner" in alerts(page)
    assert "olive" in page.pyquery("[data-testid=members]").text()

    nobody = unshare(page, "sara")
    nobody["username"].force_value("nobody")
    page = refused(nobody.submit(status=303), back)
    assert alerts(page) == "There is no user with that name."
    page = unshare(page, "sara").submit(status=303).follow()
    assert alerts(page, "success") == "sara no longer has access."
    assert "sara" not in page.pyquery("[data-testid=members]").text()

    delete = form(page, "delete")
    delete["confirm_name"] = "North Store"
    page = refused(delete.submit(status=303), back)
    assert field_error(page, "confirm_name") == "To delete, type the data set's name exactly."
    delete = form(page, "delete")
    assert files.exists(uploaded)
    delete["confirm_name"] = "North Store 2"
    home = delete.submit(status=303).follow()
    assert "Deleted North Store 2." in home.text
    dbsession.expire_all()
    assert dbsession.get(DataSet, data_set_id) is None
    assert not files.exists(uploaded)  # its files went once the deletion was committed
