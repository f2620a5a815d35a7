"""What the Catalog Application's functional tests share: the shop they work in, its
URLs, its forms, and running the jobs its pages queue, as a worker would."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.entry_points.queues import make_queue
from poser.entry_points.schedule import schedules
from poser.models.orm import DataSet, Job
from poser.storage.settings import store_from_settings
from poser.tasks import jobs
from poser.tasks.datasets import create_data_set
from poser.tasks.periodic import run_periodic
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_NEW, UPC_SOAP, make_catalog
from tests.factories import make_user

#: A vendor file for the shop's catalog: butter's cost up 10% (24.00 to 26.40 a case),
#: soap's down 33% (9.00 to 6.00), a new item, and a line whose UPC is not one.
CATALOG_FILE = HEADER + "\n".join(
    [
        f"{UPC_BUTTER},A-100,Butter,,,12,26.40",
        f"{UPC_SOAP},A-200,Soap,,,6,6.00",
        f"{UPC_NEW},A-400,New thing,Brand,1 ea,2,5.00",
        "abc,A-500,Not a UPC,,,1,1.00",
    ]
)
#: Butter up (24.00 to 26.40 a case), soap down (9.00 to 6.00): lines 2 and 3.
BUTTER_UP_SOAP_DOWN = (
    HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n{UPC_SOAP},A-200,Soap,,,6,6.00\n"
)
#: Butter up further, from the same vendor.
BUTTER_UP_AGAIN = HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,30.00\n"


def corner_shop(dbsession: Session) -> dict[str, Any]:
    """The shop the tests work in: olga owns the Products data set "Corner Shop", which
    holds the small catalog of tests.catalog_support (ACME and BETA, their products).
    Committed, for the app to see. The data set, its owner and the catalog's rows."""
    owner = make_user(dbsession, "olga")
    data_set = create_data_set(dbsession, "Corner Shop", "products", owner)
    rows = make_catalog(dbsession, data_set)
    dbsession.commit()
    return {"data_set": data_set, "owner": owner, **rows}


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


def run_scheduler(settings: dict[str, Any], session_factory: Any, on: date) -> str | None:
    """The hourly job that applies the batches whose date has come, claimed and run as
    a worker's scheduler runs it, looking at ``on`` as today; its status."""
    queue = make_queue(settings)
    plan = schedules(settings)["apply_scheduled_batches"]
    return run_periodic(
        session_factory,
        queue,
        plan.job.name,
        plan.job.task,
        {**plan.parameters, "on": on.isoformat()},
        datetime.combine(on, datetime.min.time(), tzinfo=UTC),
        worker="test",
        resources={"queue": queue},
    )


def form_posting_to(page: webtest.TestResponse, marker: str) -> webtest.Form:
    """The page's form whose action contains ``marker`` (e.g. "/file/upload")."""
    return next(form for form in page.forms.values() if marker in (form.action or ""))


def apply_form(page: webtest.TestResponse, action: str = "run") -> webtest.Form:
    """The Apply step's form (``action`` "schedule": Apply on its date), its confirmation
    of the batch's flagged rows (cost changes past the tolerance) ticked when it asks."""
    form = form_posting_to(page, f"/apply/{action}")
    if "apply_flagged" in form.fields:
        form["apply_flagged"] = True
    return form


def save_options(app: webtest.TestApp, data_set: DataSet, **values: str) -> webtest.TestResponse:
    """The Options step's form, saved with these values."""
    form = app.get(step_url(data_set, "options")).forms["parameters-options"]
    for name, value in values.items():
        form[name] = value
    return form.submit("save", expect_errors=True)


def upload_file(
    app: webtest.TestApp,
    data_set: DataSet,
    data: bytes,
    name: str = "acme.csv",
    content_type: str = "text/csv",
) -> webtest.TestResponse:
    """A file sent through the Upload step's form, whatever the answer."""
    return send_file(app.get(step_url(data_set, "upload")), data, name, content_type)


def send_file(
    page: webtest.TestResponse,
    data: bytes,
    name: str,
    content_type: str = "text/csv",
    status: int | None = None,
    **fields: Any,
) -> webtest.TestResponse:
    """A file sent through the page's upload form (its action ends in /file/upload),
    with ``fields`` set; any answer unless ``status`` says which."""
    form = form_posting_to(page, "/file/upload")
    for field, value in fields.items():
        form[field] = value
    form["file"] = webtest.Upload(name, data, content_type)
    response = form.submit(status=status, expect_errors=status is None)
    # pyramid_retry copies a body over 10 KB to a temporary file that nothing closes.
    response.request.environ["wsgi.input"].close()
    return response


def upload(app: webtest.TestApp, data_set: DataSet, text: str, name: str = "acme.csv") -> Any:
    """A catalog file sent through the Upload step's form."""
    return upload_file(app, data_set, text.encode(), name)


def upload_for_acme(
    app: webtest.TestApp,
    data_set: DataSet,
    data: bytes,
    name: str,
    content_type: str = "text/csv",
) -> webtest.TestResponse:
    """ACME chosen on the Options step (saved), then its file uploaded."""
    saved = save_options(app, data_set, catalog_vendor="ACME")
    assert saved.status_int == 303, saved.text
    return upload_file(app, data_set, data, name, content_type)


def review_of_unreadable_file(
    app: webtest.TestApp,
    data_set: DataSet,
    settings: dict[str, Any],
    session_factory: Any,
    folder: Path,
) -> webtest.TestResponse:
    """Upload, as ACME's catalog, a file with no UPC column: its read fails, as the
    queued job reports; the review step's page then."""
    save_options(app, data_set, catalog_vendor="ACME")
    upload(app, data_set, "Description,Pack\nThing,1\n")
    assert run_queued_jobs(settings, session_factory, folder) == ["failed"]
    return app.get(step_url(data_set, "review"))
