"""An Application with tables of its own (tests/notes_sample), through the whole app: a
data set made from a workbook, exported, copied; and one that keeps only parameters
offers no workbook."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import webtest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from poser.entry_points.queues import make_queue
from poser.models.orm import DataSet, Job
from poser.storage.settings import store_from_settings
from poser.tasks import jobs
from poser.tasks.datasets import create_data_set
from tests.factories import make_user
from tests.functional.conftest import CLIENT_ADDR, StrictTestApp, login
from tests.notes_sample import migrated
from tests.notes_sample.tables import Note
from tests.unit.utils.tabular.builders import make_xlsx

HOME = "/apps/notes"
WORKBOOK = {
    "notebooks": [["code", "name"], ["HOME", "At home"]],
    "notes": [
        ["notebook", "number", "title", "priority", "done", "amount"],
        ["HOME", 1, "Water the plants", 2, "yes", None],
        ["HOME", 2, "Pay the plumber", None, None, 80],
    ],
}


@pytest.fixture(scope="module", autouse=True)
def notes_tables(engine: Engine, database_url: str) -> Iterator[None]:
    with migrated(database_url):
        yield


@pytest.fixture
def app(make_app: Any, session_factory: Any, clean_environ: None, empty_queue: None) -> Any:
    """The app with the Notes Application added to the test includes."""
    includes = "tests.sample_app tests.sample_workflow tests.notes_sample.app"
    wsgi = make_app(**{"poser.includes": includes})
    return StrictTestApp(wsgi, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})


def _form(page: webtest.TestResponse, name: str) -> webtest.Form:
    return next(
        form for form in page.forms.values() if form.html.find("form").get("data-form") == name
    )


def _offered(page: webtest.TestResponse) -> set[str]:
    return {form.html.find("form").get("data-form") for form in page.forms.values()}


def _run_jobs(settings: dict[str, Any], session_factory: Any, tmp_path: Path) -> list[Any]:
    with session_factory() as session:
        queued = session.scalars(select(Job.id).where(Job.status == "queued")).all()
    resources = {"files": store_from_settings(settings), "work_dir": tmp_path}
    queue = make_queue(settings)
    return [
        jobs.run(session_factory, queue, job_id, worker="test", resources=resources)
        for job_id in queued
    ]


def test_a_notes_data_set_from_a_workbook_exports_the_same_workbook(
    app: webtest.TestApp,
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    owner = make_user(dbsession, "nora")
    login(app, "nora")
    form = _form(app.get(HOME), "import")
    form["file"] = webtest.Upload("notes.xlsx", make_xlsx(WORKBOOK))
    form["name"] = "Chores"
    response = form.submit(status=303)
    response.request.environ["wsgi.input"].close()
    assert _run_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    dbsession.rollback()
    data_set = dbsession.scalars(select(DataSet).where(DataSet.name == "Chores")).one()
    assert data_set.application == "notes"
    titles = select(Note.title).where(Note.data_set_id == data_set.id).order_by(Note.number)
    assert dbsession.scalars(titles).all() == ["Water the plants", "Pay the plumber"]
    grid = app.get(f"{HOME}/data-sets/{data_set.id}/steps/notes")  # its step: a grid of notes
    assert "Pay the plumber" in grid.text

    settings_page = app.get(f"{HOME}/data-sets/{data_set.id}/settings")
    assert {"copy", "export"} <= _offered(settings_page)
    assert "import" not in _offered(settings_page)  # it has data now
    job_page = _form(settings_page, "export").submit(status=303).follow()
    assert _run_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    job_id = int(job_page.request.path.rstrip("/").rsplit("/", 1)[-1])
    download = app.get(f"/jobs/{job_id}/download").body

    dbsession.rollback()  # a fresh snapshot: the app's and the jobs' writes are in
    empty = create_data_set(dbsession, "Empty", "notes", owner)
    dbsession.commit()
    empty_page = app.get(f"{HOME}/data-sets/{empty.id}/settings")
    assert {"export", "import"} <= _offered(empty_page)
    load = _form(empty_page, "import")
    load["file"] = webtest.Upload("chores.xlsx", download)
    load.submit(status=303).request.environ["wsgi.input"].close()
    assert _run_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    dbsession.rollback()
    loaded = select(Note.title).where(Note.data_set_id == empty.id).order_by(Note.number)
    assert dbsession.scalars(loaded).all() == ["Water the plants", "Pay the plumber"]


def test_an_application_without_tables_offers_no_workbook(
    app: webtest.TestApp, dbsession: Session
) -> None:
    owner = make_user(dbsession, "wade")
    data_set = create_data_set(dbsession, "Plans", "workflow", owner)
    dbsession.commit()
    login(app, "wade")
    page = app.get(f"/apps/workflow/data-sets/{data_set.id}/settings")
    assert "copy" in _offered(page)
    assert not {"export", "import"} & _offered(page)
    home = app.get("/apps/workflow")
    assert "empty" in _offered(home)
    assert "import" not in _offered(home)
    token = home.forms[0]["csrf_token"].value
    app.post("/apps/workflow/import", {"csrf_token": token}, status=404)
