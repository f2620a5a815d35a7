"""A vendor's workbook with a cover sheet, uploaded through the Catalog app's real form:
the batch is read from the sheet that holds the catalog, and the review page says
which sheet and line, in words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import CatalogBatchRow, Job
from poser.tasks.datasets import create_data_set
from tests.catalog_support import make_catalog
from tests.factories import make_user
from tests.functional.catalog_pages import form_posting_to, run_queued_jobs, step_url
from tests.functional.conftest import login

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "catalog"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHERE = "Read the sheet \u201cPrices\u201d from line 4 (the header)"


@pytest.fixture
def store(dbsession: Session) -> dict[str, Any]:
    owner = make_user(dbsession, "olga")
    data_set = create_data_set(dbsession, "Corner Shop", "products", owner)
    rows = make_catalog(dbsession, data_set)
    dbsession.commit()
    return {"data_set": data_set, **rows}


def test_the_review_page_says_which_sheet_and_line_were_read(
    testapp, store, dbsession, settings, session_factory, tmp_path
) -> None:
    data_set = store["data_set"]
    login(testapp, "olga")
    options = testapp.get(step_url(data_set, "options")).forms["parameters-options"]
    options["catalog_vendor"] = "ACME"
    options.submit("save", status=303)
    form = form_posting_to(testapp.get(step_url(data_set, "upload")), "/file/upload")
    form["file"] = webtest.Upload("acme.xlsx", (CORPUS / "cover_sheet.xlsx").read_bytes(), XLSX)
    form.submit(status=303)
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    review = testapp.get(step_url(data_set, "review"))
    assert review.pyquery("[data-testid=batch-status]").text() == "populated"
    assert review.pyquery("[data-testid=batch-read-from]").text() == WHERE
    dbsession.rollback()
    job = dbsession.scalars(select(Job).where(Job.kind == "batches.populate")).one()
    assert job.result["read_from"] == WHERE
    lines = dbsession.scalars(select(CatalogBatchRow.line).order_by(CatalogBatchRow.line)).all()
    assert lines == [5, 6]
