"""The Inventory Application's pages as the functional tests drive them: the app that
includes it, its steps' addresses, and its forms (options, departments, a scanner file,
a typed line), each sent whatever the answer; and the data set's count as committed."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

import pytest
import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import Batch
from tests.functional.catalog_pages import form_posting_to, send_file
from tests.functional.conftest import CLIENT_ADDR, StrictTestApp


@pytest.fixture
def testapp(make_app: Any, session_factory: Any, clean_environ: None, empty_queue: None) -> Any:
    """The app with the Inventory Application (included here while the installed
    package does not name it yet)."""
    installed = {point.name for point in entry_points(group="poser.applications")}
    includes = "tests.sample_app tests.sample_workflow"
    if "inventory" not in installed:
        includes += " poser.apps.inventory"
    wsgi = make_app(**{"poser.includes": includes})
    return StrictTestApp(wsgi, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})


def url(data_set: Any, step: str) -> str:
    return f"/apps/inventory/data-sets/{data_set.id}/steps/{step}"


def save_options(app: webtest.TestApp, data_set: Any, **values: str) -> Any:
    form = app.get(url(data_set, "options")).forms["parameters-options"]
    for name, value in values.items():
        form[name] = value
    return form.submit("save", expect_errors=True)


def save_departments(app: webtest.TestApp, data_set: Any, *numbers: str) -> Any:
    form = app.get(url(data_set, "options")).forms["departments-departments"]
    for checkbox in form.fields["department"]:
        checkbox.checked = checkbox._value in numbers
    return form.submit("save", expect_errors=True)


def upload_scan(
    app: webtest.TestApp,
    data_set: Any,
    data: bytes,
    name: str = "scan1.csv",
    unit: str = "units",
    content_type: str = "text/csv",
    recount: bool = False,
) -> Any:
    """A scanner file sent through the Count step's form."""
    page = app.get(url(data_set, "count"))
    return send_file(page, data, name, content_type, unit=unit, recount=recount)


def type_line(
    app: webtest.TestApp,
    data_set: Any,
    upc: str,
    quantity: str,
    section: str = "",
    unit: str = "units",
) -> Any:
    form = form_posting_to(app.get(url(data_set, "count")), "/typed/add")
    form["upc"], form["quantity"], form["unit"], form["section"] = upc, quantity, unit, section
    return form.submit(expect_errors=True)


def count_of(dbsession: Session, data_set: Any) -> Batch:
    """The data set's count, as the app committed it."""
    dbsession.rollback()  # a new snapshot: what the app committed since
    return dbsession.scalars(
        select(Batch).where(Batch.data_set_id == data_set.id, Batch.batch_type == "inventory")
    ).one()
