"""A job's page asks for its progress every second at first, then less often, and not
at all once the job has finished: the answer to each ask names the next ask (its URL
counts the asks) and how long to wait for it."""

from __future__ import annotations

import pytest
import webtest
from sqlalchemy.orm import Session

import tests.sample_jobs  # noqa: F401 - registers the sample job kinds
from poser.models.orm import Job
from tests.factories import make_data_set, make_user
from tests.functional.conftest import login


@pytest.fixture
def running(dbsession: Session) -> Job:
    viewer = make_user(dbsession, "viewer")
    data_set = make_data_set(dbsession, "North", members={viewer: "viewer"})
    job = Job(kind="sample.touch", data_set_id=data_set.id, user_id=viewer.id, status="running")
    dbsession.add(job)
    dbsession.commit()
    return job


def _next_ask(testapp: webtest.TestApp, job: Job, **params: str) -> tuple[str, str]:
    panel = testapp.get(f"/jobs/{job.id}/progress", params).pyquery("#job-panel")
    return panel.attr("hx-get"), panel.attr("hx-trigger")


@pytest.mark.parametrize(
    ("polls", "next_polls", "trigger"),
    [
        ("", "1", "every 1s"),
        ("29", "30", "every 1s"),
        ("30", "31", "every 2s"),
        ("59", "60", "every 2s"),
        ("60", "61", "every 5s"),
        ("5000", "5001", "every 5s"),
        ("not a number", "1", "every 1s"),
    ],
)
def test_the_page_asks_less_often_the_longer_the_job_runs(
    testapp: webtest.TestApp, running: Job, polls: str, next_polls: str, trigger: str
) -> None:
    login(testapp, "viewer")
    url, every = _next_ask(testapp, running, **({"polls": polls} if polls else {}))
    assert url == f"/jobs/{running.id}/progress?polls={next_polls}"
    assert every == trigger


def test_the_job_page_starts_at_one_second_and_keeps_reload(
    testapp: webtest.TestApp, running: Job
) -> None:
    login(testapp, "viewer")
    whole = testapp.get(f"/jobs/{running.id}").pyquery
    assert whole(".breadcrumb .active").text() == f"Job #{running.id}"  # not a bare number
    page = whole("#job-panel")
    assert (page.attr("hx-get"), page.attr("hx-trigger")) == (
        f"/jobs/{running.id}/progress?polls=1",
        "every 1s",
    )
    url, every = _next_ask(testapp, running, polls="45", reload="1")
    assert url == f"/jobs/{running.id}/progress?polls=46&reload=1"
    assert every == "every 2s"


def test_a_finished_job_asks_nothing_more(
    testapp: webtest.TestApp, running: Job, dbsession: Session
) -> None:
    running.status = "succeeded"
    dbsession.commit()
    login(testapp, "viewer")
    assert _next_ask(testapp, running, polls="12") == (None, None)
