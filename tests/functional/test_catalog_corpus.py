"""Bad vendor files through the Catalog app's real upload form: the page says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import Batch, DataSet, ProductCost
from tests.functional.catalog_pages import corner_shop, run_queued_jobs, step_url, upload_for_acme
from tests.functional.conftest import login
from tests.functional.form_support import field_error, refused

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "catalog"


@pytest.fixture
def store(dbsession: Session) -> dict[str, Any]:
    return corner_shop(dbsession)


def _upload_corpus_file(app: webtest.TestApp, data_set: DataSet, name: str) -> Any:
    return upload_for_acme(app, data_set, (CORPUS / name).read_bytes(), name)


def _costs(dbsession: Session) -> list[tuple[Any, ...]]:
    dbsession.rollback()  # a fresh snapshot: see what the app and the jobs committed
    rows = dbsession.execute(
        select(ProductCost.id, ProductCost.case_cost, ProductCost.unit_cost).order_by(
            ProductCost.id
        )
    )
    return [tuple(row) for row in rows]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing_columns.csv", "missing required column: UPC"),
        ("header_only.csv", "has a header row but no rows under it"),
        ("unterminated_quote.csv", "line 3: a quoted value starts on this line"),
    ],
)
def test_a_file_it_cannot_read_shows_why_on_review(
    testapp, store, dbsession, settings, session_factory, tmp_path, name, message
) -> None:
    before = _costs(dbsession)
    login(testapp, "olga")
    response = _upload_corpus_file(testapp, store["data_set"], name)
    assert response.status_int == 303, response.text
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["failed"]
    review = testapp.get(step_url(store["data_set"], "review"))
    assert message in review.pyquery("[data-testid=batch-error]").text()
    assert review.pyquery("[data-testid=batch-status]").attr("data-status") == "failed"
    assert _costs(dbsession) == before


def test_a_pdf_named_xlsx_is_refused_at_upload(testapp, store, dbsession) -> None:
    login(testapp, "olga")
    response = _upload_corpus_file(testapp, store["data_set"], "not_really.xlsx")
    page = refused(response, step_url(store["data_set"], "upload"))
    assert "content was checked" in field_error(page, "file")
    assert dbsession.scalars(select(Batch)).all() == []


def test_rows_at_fault_show_their_message_in_review(
    testapp, store, dbsession, settings, session_factory, tmp_path
) -> None:
    before = _costs(dbsession)
    login(testapp, "olga")
    _upload_corpus_file(testapp, store["data_set"], "bad_costs.csv")
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    review = testapp.get(step_url(store["data_set"], "review"))
    counts = {el.attrib["data-count"]: el.text for el in review.pyquery("[data-count]")}
    assert counts == {"error": "6", "new_item": "1"}
    rows = review.pyquery("[data-widget=rows] tbody").text()
    assert "'twelve dollars' is not a number" in rows
    assert "the check digit is wrong" in rows
    assert _costs(dbsession) == before
