"""What the Catalog Application's functional tests share: its URLs, its forms, and
running the jobs its pages queue, as a worker would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import webtest
from sqlalchemy import select

from poser.entry_points.queues import make_queue
from poser.models.orm import DataSet, Job
from poser.storage.settings import store_from_settings
from poser.tasks import jobs


def step_url(data_set: DataSet, step: str) -> str:
    return f"/apps/catalog/data-sets/{data_set.id}/steps/{step}"


def run_queued_jobs(
    settings: dict[str, Any], session_factory: Any, tmp_path: Path
) -> list[str | None]:
    """Run every queued job, as a worker would, and then those they queued (an apply
    queues its report); their final statuses, in the order they ran."""
    queue = make_queue(settings)
    resources = {"files": store_from_settings(settings), "work_dir": tmp_path, "queue": queue}
    statuses: list[str | None] = []
    while True:
        with session_factory() as session:
            queued = session.scalars(
                select(Job.id).where(Job.status == "queued").order_by(Job.id)
            ).all()
        if not queued:
            return statuses
        statuses += [
            jobs.run(session_factory, queue, job_id, worker="test", resources=resources)
            for job_id in queued
        ]


def form_posting_to(page: webtest.TestResponse, marker: str) -> webtest.Form:
    """The page's form whose action contains ``marker`` (e.g. "/file/upload")."""
    return next(form for form in page.forms.values() if marker in (form.action or ""))


def save_options(app: webtest.TestApp, data_set: DataSet, **values: str) -> webtest.TestResponse:
    """The Options step's form, saved with these values."""
    form = app.get(step_url(data_set, "options")).forms["parameters-options"]
    for name, value in values.items():
        form[name] = value
    return form.submit("save", expect_errors=True)


def upload(app: webtest.TestApp, data_set: DataSet, text: str, name: str = "acme.csv") -> Any:
    """A catalog file sent through the Upload step's form."""
    form = form_posting_to(app.get(step_url(data_set, "upload")), "/file/upload")
    form["file"] = webtest.Upload(name, text.encode(), "text/csv")
    return form.submit(expect_errors=True)
