"""A vendor's workbook through the Catalog app's upload form: its zip structure is checked
while the operator waits, from the list of parts alone; its sheets are read by the job."""

from __future__ import annotations

from typing import Any

import pytest
import webtest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.models.orm import Batch, DataSet, Job, Upload
from poser.storage.settings import store_from_settings
from tests.functional.catalog_pages import corner_shop, run_queued_jobs, step_url, upload_for_acme
from tests.functional.conftest import login
from tests.functional.form_support import field_error, refused
from tests.unit.utils.tabular.zip_builders import (
    DECOY,
    STRINGS,
    append_members,
    catalog_sheet,
    decoy_workbook,
    record_opened,
)

# All a request may inflate of a workbook: the small parts that name the others.
SMALL_PARTS = {"[Content_Types].xml", "xl/_rels/workbook.xml.rels"}


@pytest.fixture
def store(dbsession: Session) -> dict[str, Any]:
    return corner_shop(dbsession)


def _upload(app: webtest.TestApp, data_set: DataSet, data: bytes) -> webtest.TestResponse:
    return upload_for_acme(app, data_set, data, "acme.xlsx", "application/octet-stream")


REFUSED = {
    "a decoy beside a big text table": (
        decoy_workbook,
        "This workbook holds two parts whose names differ only in case or slashes, "
        f"{STRINGS!r} and {DECOY!r}; it is damaged or forged and was not opened.",
    ),
    "two parts of one name": (
        lambda: append_members(catalog_sheet(), [("xl/workbook.xml", b"<workbook/>")]),
        "This workbook holds two parts named 'xl/workbook.xml'; it is damaged or forged and "
        "was not opened.",
    ),
}


@pytest.mark.parametrize(("build", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_a_forged_workbook_is_refused_at_upload_without_inflating_it(
    testapp: webtest.TestApp,
    store: dict[str, Any],
    dbsession: Session,
    settings: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    build: Any,
    message: str,
) -> None:
    data = build()
    stored = store_from_settings(settings).list("uploads")
    login(testapp, "olga")
    opened = record_opened(monkeypatch)
    response = _upload(testapp, store["data_set"], data)
    page = refused(response, step_url(store["data_set"], "upload"))
    assert field_error(page, "file") == message
    assert opened == []  # refused from the list of parts: nothing is inflated
    dbsession.rollback()
    assert dbsession.scalar(select(func.count()).select_from(Batch)) == 0
    assert dbsession.scalar(select(func.count()).select_from(Upload)) == 0
    assert dbsession.scalar(select(func.count()).select_from(Job)) == 0
    assert store_from_settings(settings).list("uploads") == stored


def test_a_sound_workbook_is_stored_then_read_by_the_job(
    testapp: webtest.TestApp,
    store: dict[str, Any],
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = catalog_sheet()
    login(testapp, "olga")
    opened = record_opened(monkeypatch)
    response = _upload(testapp, store["data_set"], data)
    assert response.status_int == 303, response.text
    assert set(opened) <= SMALL_PARTS  # the sheet is the job's to open
    monkeypatch.undo()
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    review = testapp.get(step_url(store["data_set"], "review"))
    counts = {el.attrib["data-count"]: el.text for el in review.pyquery("[data-count]")}
    assert counts == {"unchanged": "1"}
