from __future__ import annotations

from typing import Any

import pytest
import webtest
from sqlalchemy.orm import Session

import tests.sample_jobs  # noqa: F401 - registers the sample job kinds
from poser.entry_points.queues import make_queue
from poser.models.orm import Job, User
from poser.tasks.job_progress import JobProgress, clear_progress
from tests.factories import make_data_set, make_user
from tests.functional.conftest import login


@pytest.fixture
def people(dbsession: Session) -> dict[str, User]:
    return {
        "owner": make_user(dbsession, "owner"),
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
    assert page.pyquery('[data-testid="job-status"]').text() == "failed"
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


def test_admins_see_every_job(testapp: webtest.TestApp, job: Job) -> None:
    login(testapp, "boss")
    page = testapp.get("/jobs", params={"status": "failed"})
    assert [a.text for a in page.pyquery("[data-testid=jobs-table] tbody a")] == [str(job.id)]
    assert testapp.get("/jobs", params={"status": "succeeded"}).pyquery("td:contains('No jobs.')")
    testapp.get(f"/jobs/{job.id}")


def test_the_owner_retries_and_cancels_through_the_page(
    testapp: webtest.TestApp, job: Job, dbsession: Session
) -> None:
    login(testapp, "owner")
    page = testapp.get(f"/jobs/{job.id}")
    response = page.forms[1].submit(status=303)  # forms[0] is the log-out form
    assert response.location.endswith(f"/jobs/{job.id}")
    page = response.follow()
    assert "Queued again." in page.text
    assert page.pyquery('[data-testid="job-status"]').text() == "queued"
    # A queued job polls for updates and offers Cancel.
    assert page.pyquery("#job-panel").attr("hx-get") == f"/jobs/{job.id}/progress"
    page = page.forms[1].submit(status=303).follow()
    assert "Cancelled." in page.text
    assert page.pyquery('[data-testid="job-status"]').text() == "cancelled"
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
