from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import webtest
from sqlalchemy.orm import Session

import tests.sample_jobs  # noqa: F401 - registers the sample job kinds
from poser.entry_points.queues import make_queue
from poser.models.data_extraction.datasets import members
from poser.models.orm import DataSet, Job, User
from poser.storage.settings import store_from_settings
from poser.tasks import jobs
from poser.tasks.datasets import create_data_set, remove_member, set_member, workbooks_folder
from poser.tasks.generate import generate_products
from poser.tasks.job_progress import JobProgress, clear_progress
from tests.factories import make_data_set, make_user
from tests.functional.conftest import login


@pytest.fixture
def people(dbsession: Session) -> dict[str, User]:
    return {
        "owner": make_user(dbsession, "owner"),
        "editor": make_user(dbsession, "editor"),
        "viewer": make_user(dbsession, "viewer"),
        "outsider": make_user(dbsession, "outsider"),
        "admin": make_user(dbsession, "boss", role="admin"),
    }


@pytest.fixture
def job(dbsession: Session, people: dict[str, User]) -> Job:
    data_set = make_data_set(
        dbsession, "North", members={people["owner"]: "owner", people["viewer"]: "viewer"}
    )
    job = Job(
        kind="sample.touch",
        data_set_id=data_set.id,
        user_id=people["owner"].id,
        status="failed",
        error="step 2 of 3 failed on purpose",
        parameters={"steps": 3},
    )
    dbsession.add(job)
    dbsession.commit()
    return job


def _token(app: webtest.TestApp) -> str:
    return app.get("/").forms[0]["csrf_token"].value


def test_members_see_their_data_sets_jobs_and_others_get_404(
    testapp: webtest.TestApp, job: Job
) -> None:
    login(testapp, "viewer")
    assert f"/jobs/{job.id}" in testapp.get("/jobs").text
    page = testapp.get(f"/jobs/{job.id}")
    assert page.pyquery('[data-testid="job-status"]').attr("data-status") == "failed"
    assert page.pyquery('[data-testid="job-error"]').text() == "step 2 of 3 failed on purpose"
    assert not page.pyquery("button:contains('Retry')"), "viewers may not retry"
    testapp.post(f"/jobs/{job.id}/retry", {"csrf_token": _token(testapp)}, status=403)

    testapp.reset()
    login(testapp, "outsider")
    assert f"/jobs/{job.id}" not in testapp.get("/jobs").text
    for path in (f"/jobs/{job.id}", f"/jobs/{job.id}/progress"):
        testapp.get(path, status=404)
    testapp.post(f"/jobs/{job.id}/retry", {"csrf_token": _token(testapp)}, status=404)
    testapp.get("/jobs/999999", status=404)


def _listed(app: webtest.TestApp, **params: str) -> list[int]:
    page = app.get("/jobs", params=params)
    return [int(a.text) for a in page.pyquery("[data-testid=jobs-table] tbody a")]


def test_the_list_shows_exactly_the_jobs_whose_page_opens(
    testapp: webtest.TestApp, job: Job, dbsession: Session, people: dict[str, User]
) -> None:
    """Members see their data sets' jobs, whoever started them; admins are no exception
    (a data set's jobs are its members'), and see the jobs of no data set, which no one
    else sees."""
    south = make_data_set(dbsession, "South", members={people["outsider"]: "owner"})
    theirs = Job(kind="sample.crash", data_set_id=south.id, user_id=people["owner"].id)
    maintenance = Job(kind="maintenance.purge_work", status="failed", error="disk full")
    dbsession.add_all([theirs, maintenance])
    dbsession.commit()
    expected = {
        "owner": {job.id},  # not the job they started in South, where they are no member
        "viewer": {job.id},
        "outsider": {theirs.id},
        "boss": {maintenance.id},
    }
    for username, visible in expected.items():
        testapp.reset()
        login(testapp, username)
        assert set(_listed(testapp)) == visible, username
        for each in (job, theirs, maintenance):
            status = 200 if each.id in visible else 404
            for path in (f"/jobs/{each.id}", f"/jobs/{each.id}/progress"):
                testapp.get(path, status=status)
    # The kind filter offers only the kinds of jobs the user may see.
    kinds = [o.attrib["value"] for o in testapp.get("/jobs").pyquery("#kind option")]
    assert kinds == ["", "maintenance.purge_work"]
    page = testapp.get(f"/jobs/{maintenance.id}")
    assert page.pyquery("button:contains('Retry')"), "admins run the maintenance jobs"

    set_member(dbsession.get_one(DataSet, job.data_set_id), people["admin"], "viewer")
    dbsession.commit()
    assert set(_listed(testapp)) == {job.id, maintenance.id}
    assert not testapp.get(f"/jobs/{job.id}").pyquery("button:contains('Retry')")
    testapp.post(f"/jobs/{job.id}/retry", {"csrf_token": _token(testapp)}, status=403)


def test_the_owner_retries_and_cancels_through_the_page(
    testapp: webtest.TestApp, job: Job, dbsession: Session
) -> None:
    login(testapp, "owner")
    page = testapp.get(f"/jobs/{job.id}")
    response = page.forms[1].submit(status=303)  # forms[0] is the log-out form
    assert response.location.endswith(f"/jobs/{job.id}")
    page = response.follow()
    assert "Queued again." in page.text
    assert page.pyquery('[data-testid="job-status"]').attr("data-status") == "queued"
    # A queued job polls for updates and offers Cancel.
    assert page.pyquery("#job-panel").attr("hx-get") == f"/jobs/{job.id}/progress?polls=1"
    page = page.forms[1].submit(status=303).follow()
    assert "Cancelled." in page.text
    assert page.pyquery('[data-testid="job-status"]').attr("data-status") == "cancelled"
    assert page.pyquery("#job-panel").attr("hx-get") is None, "a finished job stops polling"
    dbsession.expire_all()
    assert dbsession.get_one(Job, job.id).status == "cancelled"


def test_cancelling_a_running_job_asks_it_to_stop(
    testapp: webtest.TestApp, job: Job, dbsession: Session
) -> None:
    job.status, job.error = "running", None
    dbsession.commit()
    login(testapp, "owner")
    page = testapp.get(f"/jobs/{job.id}")
    page = page.forms[1].submit(status=303).follow()
    assert "Asked the job to stop." in page.text
    assert "(stopping…)" in page.text
    assert not page.pyquery("button:contains('Cancel')")


def test_the_progress_fragment_shows_live_progress(
    testapp: webtest.TestApp, job: Job, dbsession: Session, settings: dict[str, Any]
) -> None:
    job.status, job.error = "running", None
    dbsession.commit()
    store = make_queue(settings).store  # the same queue and store the app uses
    progress = JobProgress(store, job.id)
    progress.update(3, 12, "row 3 of 12")
    progress.note("read the header")
    login(testapp, "viewer")
    fragment = testapp.get(f"/jobs/{job.id}/progress", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith("<section")
    assert fragment.pyquery("progress").attr("value") == "25.0"
    assert "row 3 of 12" in fragment.text
    assert "read the header" in fragment.pyquery('[data-testid="job-log"]').text()
    clear_progress(store, job.id)


def test_a_page_that_asked_is_reloaded_once_the_job_has_finished(
    testapp: webtest.TestApp, job: Job, dbsession: Session
) -> None:
    login(testapp, "viewer")
    job.status, job.error = "running", None
    dbsession.commit()
    running = testapp.get(f"/jobs/{job.id}/progress", {"reload": "1"})
    assert "HX-Refresh" not in running.headers
    assert "reload=1" in running.pyquery("#job-panel").attr("hx-get")
    plain = testapp.get(f"/jobs/{job.id}/progress")
    assert "reload" not in plain.pyquery("#job-panel").attr("hx-get")
    job.status = "succeeded"
    dbsession.commit()
    finished = testapp.get(f"/jobs/{job.id}/progress", {"reload": "1"})
    assert finished.headers["HX-Refresh"] == "true"
    assert "HX-Refresh" not in testapp.get(f"/jobs/{job.id}/progress").headers


def test_a_logged_out_visitor_of_a_job_is_sent_to_log_in(
    testapp: webtest.TestApp, job: Job
) -> None:
    response = testapp.get(f"/jobs/{job.id}", status=303)
    assert "/login" in response.location


def test_maintenance_can_be_started_by_admins_only(
    testapp: webtest.TestApp, people: dict[str, User], dbsession: Session
) -> None:
    login(testapp, "owner")
    testapp.post("/jobs/run/maintenance.purge_work", {"csrf_token": _token(testapp)}, status=403)
    testapp.reset()
    login(testapp, "boss")
    page = testapp.get("/jobs")
    form = next(f for f in page.forms.values() if f.action.endswith("maintenance.purge_work"))
    response = form.submit(status=303)
    job = dbsession.query(Job).one()
    assert (job.kind, job.status, job.user_id) == (
        "maintenance.purge_work",
        "queued",
        people["admin"].id,
    )
    assert response.location.endswith(f"/jobs/{job.id}")
    testapp.post("/jobs/run/sample.touch", {"csrf_token": _token(testapp)}, status=404)


@pytest.fixture
def store(dbsession: Session, people: dict[str, User]) -> DataSet:
    """A Products data set with a few products: owner, editor and viewer."""
    data_set = create_data_set(dbsession, "Store", "products", people["owner"])
    set_member(data_set, people["editor"], "editor")
    set_member(data_set, people["viewer"], "viewer")
    generate_products(data_set, products=5, seed=3)
    dbsession.commit()
    return data_set


def _run(settings: dict[str, Any], session_factory: Any, tmp_path: Path, job_id: int) -> str | None:
    resources = {"files": store_from_settings(settings), "work_dir": tmp_path}
    return jobs.run(
        session_factory, make_queue(settings), job_id, worker="test", resources=resources
    )


def _post_all(app: webtest.TestApp, job_ids: list[int], status: int) -> None:
    token = _token(app)
    for job_id in job_ids:
        for action in ("retry", "cancel"):
            app.post(f"/jobs/{job_id}/{action}", {"csrf_token": token}, status=status)


def test_a_removed_member_loses_the_jobs_they_started(
    testapp: webtest.TestApp,
    store: DataSet,
    people: dict[str, User],
    dbsession: Session,
    session_factory: Any,
    settings: dict[str, Any],
    tmp_path: Path,
) -> None:
    login(testapp, "viewer")
    page = testapp.get(f"/apps/products/data-sets/{store.id}/settings")
    form = next(f for f in page.forms.values() if (f.action or "").endswith("/export"))
    exported = int(form.submit(status=303).location.rsplit("/", 1)[-1])
    assert _run(settings, session_factory, tmp_path, exported) == "succeeded"
    assert testapp.get(f"/jobs/{exported}/download").body.startswith(b"PK")
    again = Job(kind="datasets.export", data_set_id=store.id, user_id=people["viewer"].id)
    apply = Job(
        kind="batches.execute",
        data_set_id=store.id,
        user_id=people["editor"].id,
        parameters={"batch_id": 1, "user_id": people["editor"].id},
    )
    for cancelled in (again, apply):
        cancelled.status, cancelled.error = "cancelled", "Cancelled."
    dbsession.add_all([again, apply])
    remove_member(store, people["viewer"])
    remove_member(store, people["editor"])
    dbsession.commit()

    for username, started in (("viewer", [exported, again.id]), ("editor", [apply.id])):
        testapp.reset()
        login(testapp, username)
        assert _listed(testapp) == []
        for job_id in started:
            for path in ("", "/progress", "/download"):
                testapp.get(f"/jobs/{job_id}{path}", status=404)
        _post_all(testapp, started, 404)
    dbsession.expire_all()
    assert {dbsession.get_one(Job, job.id).status for job in (again, apply)} == {"cancelled"}
    store_from_settings(settings).remove_tree(workbooks_folder(store.id))


def test_cancel_and_retry_take_the_permission_the_kind_runs_with_now(
    testapp: webtest.TestApp, store: DataSet, people: dict[str, User], dbsession: Session
) -> None:
    editor = people["editor"]
    apply = Job(kind="batches.execute", data_set_id=store.id, user_id=editor.id)
    export = Job(kind="datasets.export", data_set_id=store.id, user_id=editor.id)
    for cancelled in (apply, export):
        cancelled.status, cancelled.error = "cancelled", "Cancelled."
    dbsession.add_all([apply, export])
    set_member(store, editor, "viewer")  # they started both while an editor
    dbsession.commit()

    login(testapp, "editor")
    page = testapp.get(f"/jobs/{apply.id}")  # a viewer sees the data set's jobs
    assert not page.pyquery("button:contains('Retry')")
    _post_all(testapp, [apply.id], 403)
    # Exporting takes "view": a viewer retries an export.
    page = testapp.get(f"/jobs/{export.id}").forms[1].submit(status=303).follow()
    assert page.pyquery('[data-testid="job-status"]').attr("data-status") == "queued"
    dbsession.expire_all()
    assert dbsession.get_one(Job, apply.id).status == "cancelled"


def test_a_job_retried_by_another_member_acts_for_them(
    testapp: webtest.TestApp,
    store: DataSet,
    people: dict[str, User],
    dbsession: Session,
    session_factory: Any,
    settings: dict[str, Any],
    tmp_path: Path,
) -> None:
    viewer, editor = people["viewer"], people["editor"]
    copy = Job(
        kind="datasets.copy",
        data_set_id=store.id,
        user_id=viewer.id,
        parameters={"name": "Viewer's copy", "owner_id": viewer.id},
        status="failed",
        error="The worker stopped.",
    )
    dbsession.add(copy)
    remove_member(store, viewer)
    dbsession.commit()

    login(testapp, "editor")
    page = testapp.get(f"/jobs/{copy.id}").forms[1].submit(status=303).follow()
    assert "Queued again by editor." in page.pyquery('[data-testid="job-log"]').text()
    assert _run(settings, session_factory, tmp_path, copy.id) == "succeeded"
    dbsession.expire_all()
    done = dbsession.get_one(Job, copy.id)
    assert (done.user_id, done.parameters["owner_id"]) == (editor.id, editor.id)
    made = dbsession.get_one(DataSet, done.result["data_set_id"])
    assert members(dbsession, made.id) == [("editor", "owner")]


def test_the_list_filters_jobs_not_finished_and_a_data_sets(
    testapp: webtest.TestApp, job: Job, dbsession: Session, people: dict[str, User]
) -> None:
    """The dashboard's "more on the Jobs page" opens the data set's jobs waiting or
    running (or failed); the list offers only the user's own data sets."""
    north = dbsession.get_one(DataSet, job.data_set_id)
    south = make_data_set(dbsession, "South", members={people["owner"]: "owner"})
    west = make_data_set(dbsession, "West", members={people["outsider"]: "owner"})
    waiting = Job(kind="sample.touch", data_set_id=north.id, status="queued")
    running = Job(kind="sample.touch", data_set_id=north.id, status="running")
    elsewhere = Job(kind="sample.touch", data_set_id=south.id, status="running")
    theirs = Job(kind="sample.touch", data_set_id=west.id, status="running")
    dbsession.add_all([waiting, running, elsewhere, theirs])
    dbsession.commit()
    login(testapp, "owner")
    assert _listed(testapp, status="unfinished") == [elsewhere.id, running.id, waiting.id]
    assert _listed(testapp, status="unfinished", data_set=str(north.id)) == [
        running.id,
        waiting.id,
    ]
    assert _listed(testapp, status="failed", data_set=str(north.id)) == [job.id]
    assert _listed(testapp, data_set=str(south.id)) == [elsewhere.id]
    # Another's data set is no filter: the list is the user's jobs, all of them.
    assert _listed(testapp, data_set=str(west.id)) == _listed(testapp)
    page = testapp.get("/jobs", params={"status": "unfinished"})
    names = [option.text for option in page.pyquery("#data_set option")]
    assert names == ["any", "North", "South"]
    assert page.pyquery("#status option[selected]").text() == "Waiting or running"
