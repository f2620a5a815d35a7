"""A vendor's workbook with a cover sheet, uploaded through the Catalog app's real form:
the batch is read from the sheet that holds the catalog, and the review page says
which sheet and line, in words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import CatalogBatchRow, Job
from tests.functional.catalog_pages import corner_shop, run_queued_jobs, step_url, upload_for_acme
from tests.functional.conftest import login

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "catalog"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHERE = "Read the sheet \u201cPrices\u201d from line 4 (the header)"


@pytest.fixture
def store(dbsession: Session) -> dict[str, Any]:
    return corner_shop(dbsession)


def test_the_review_page_says_which_sheet_and_line_were_read(
    testapp, store, dbsession, settings, session_factory, tmp_path
) -> None:
    data_set = store["data_set"]
    login(testapp, "olga")
    data = (CORPUS / "cover_sheet.xlsx").read_bytes()
    assert upload_for_acme(testapp, data_set, data, "acme.xlsx", XLSX).status_int == 303
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    review = testapp.get(step_url(data_set, "review"))
    assert review.pyquery("[data-testid=batch-status]").attr("data-status") == "populated"
    assert review.pyquery("[data-testid=batch-read-from]").text() == WHERE
    dbsession.rollback()
    job = dbsession.scalars(select(Job).where(Job.kind == "batches.populate")).one()
    assert job.result["read_from"] == WHERE
    lines = dbsession.scalars(select(CatalogBatchRow.line).order_by(CatalogBatchRow.line)).all()
    assert lines == [5, 6]
