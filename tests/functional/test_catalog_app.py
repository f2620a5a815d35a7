"""The Catalog Application through the whole WSGI app: options, upload, review, apply,
report; what a viewer and a stranger may do; and a file it cannot read."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import Batch, Job, ProductChange, ProductCost
from poser.storage.settings import store_from_settings
from poser.tasks.datasets import set_member
from tests.factories import make_user
from tests.functional.catalog_pages import (
    CATALOG_FILE,
    corner_shop,
    form_posting_to,
    review_of_unreadable_file,
    run_queued_jobs,
    save_options,
    step_url,
    upload,
)
from tests.functional.conftest import login
from tests.functional.form_support import alerts, field_error, refused


@pytest.fixture
def store(dbsession: Session) -> dict[str, Any]:
    return corner_shop(dbsession)


def test_the_catalog_app_opens_the_products_data_sets(testapp, store) -> None:
    login(testapp, "olga")
    home = testapp.get("/apps/catalog")
    assert "Corner Shop" in home.text
    assert f"/apps/catalog/data-sets/{store['data_set'].id}" in home.text
    testapp.get(step_url(store["data_set"], "options"), status=200)


def test_options_offer_the_data_sets_vendors_and_validate(testapp, store) -> None:
    login(testapp, "olga")
    page = testapp.get(step_url(store["data_set"], "options"))
    offered = [value for value, *_ in page.forms["parameters-options"]["catalog_vendor"].options]
    assert offered == ["", "ACME", "BETA"]
    back = step_url(store["data_set"], "options")
    page = refused(save_options(testapp, store["data_set"], catalog_tolerance="5000"), back)
    assert field_error(page, "catalog_tolerance") == "Give a percent from 0 to 1000."
    assert page.forms["parameters-options"]["catalog_tolerance"].value == "5000"
    assert "catalog_mapping" not in page.forms["parameters-options"].fields  # chosen from lists
    saved = save_options(testapp, store["data_set"], catalog_vendor="ACME").follow()
    assert alerts(saved, "success") == "Saved.", saved.pyquery(".invalid-feedback").text()


def test_an_upload_without_a_vendor_is_sent_back_to_choose_one(testapp, store, dbsession) -> None:
    login(testapp, "olga")
    page = refused(
        upload(testapp, store["data_set"], CATALOG_FILE), step_url(store["data_set"], "upload")
    )
    assert field_error(page, "vendor") == "Choose the vendor whose catalog this is."
    assert dbsession.scalars(select(Batch)).all() == []


def test_the_whole_journey(testapp, store, dbsession, settings, session_factory, tmp_path) -> None:
    data_set = store["data_set"]
    login(testapp, "olga")
    save_options(testapp, data_set, catalog_vendor="ACME", catalog_tolerance="20")
    response = upload(testapp, data_set, CATALOG_FILE)
    assert response.status_int == 303
    assert response.location.endswith("/steps/review")
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]

    review = testapp.get(step_url(data_set, "review"))
    upload_page = testapp.get(step_url(data_set, "upload"))
    limit = upload_page.pyquery("label:contains('File (up to')").text()
    assert limit.endswith(" MB) *") or limit.endswith(" MB)"), limit  # a size, in words
    counts = {el.attrib["data-count"]: el.text for el in review.pyquery("[data-count]")}
    assert counts == {"new_item": "1", "cost_up": "1", "cost_down": "1", "error": "1"}
    assert review.pyquery("[data-widget=statuses] table")  # the chart's table fallback
    assert len(review.pyquery("[data-widget=rows] tbody tr[data-key]")) == 4
    only_up = testapp.get(step_url(data_set, "review"), params={"rows.status.in": "cost_up"})
    assert len(only_up.pyquery("[data-widget=rows] tbody tr[data-key]")) == 1
    by_change = testapp.get(
        step_url(data_set, "review"),
        params=[("rows.status.in", "cost_up"), ("rows.status.in", "cost_down"),
                ("rows.sort", "cost_change")],
    )  # fmt: skip
    first = by_change.pyquery("[data-widget=rows] tbody tr[data-key]").eq(0).text()
    assert "Soap" in first

    apply_page = testapp.get(step_url(data_set, "apply"))
    assert "acknowledge" in apply_page.pyquery("[data-testid=blockers]").text()
    response = form_posting_to(apply_page, "/apply/run").submit(status=303)
    assert "Not yet:" in alerts(refused(response, step_url(data_set, "apply")))
    assert dbsession.scalars(select(Job).where(Job.kind == "batches.execute")).all() == []

    form_posting_to(apply_page, "/batch/acknowledge").submit(status=303)
    apply_page = testapp.get(step_url(data_set, "apply"))
    assert not apply_page.pyquery("[data-testid=blockers]")
    # The soap's cost is down 33%, past the tolerance: the apply names it and asks.
    assert "1 flagged row" in apply_page.pyquery("[data-testid=apply-confirm]").text()
    applied_form = form_posting_to(apply_page, "/apply/run")
    applied_form["apply_flagged"] = True
    applied_form.submit(status=303)
    # The apply, then the report its job queued once the apply had committed.
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded", "succeeded"]

    dbsession.rollback()  # a fresh snapshot: see what the job committed
    butter = dbsession.scalars(
        select(ProductCost).where(ProductCost.product_id == store["butter"].id)
    ).one()
    assert butter.unit_cost == Decimal("2.2000")
    assert len(dbsession.scalars(select(ProductChange)).all()) == 2  # new items were skipped

    report = testapp.get(step_url(data_set, "report"))
    assert report.pyquery("[data-summary=costs_updated]").text() == "2"
    applied_at = dbsession.scalars(select(Batch.executed_at)).one()
    applied_on = applied_at.astimezone().date().isoformat()  # where Poser runs
    shown = report.pyquery("[data-testid=report-effective]").text()
    assert shown == f"{applied_on} (the day it was applied)"
    links = [a.attrib["href"] for a in report.pyquery("[data-testid=report-file]")]
    assert sorted(link.rsplit(".", 1)[-1] for link in links) == ["csv", "xlsx"]
    csv_link = next(link for link in links if link.endswith(".csv"))
    download = testapp.get(csv_link)
    rows = list(csv.reader(io.StringIO(download.body.decode("utf-8-sig"))))
    assert len(rows) == 1 + 4  # header, and every row that changed or could not
    assert any("Not a UPC" in " ".join(row) for row in rows)
    effective = rows[0].index("Effective date")
    assert {row[effective] for row in rows[1:]} == {applied_on}  # undated: the day applied

    # Applied once: the button is gone and the form sent again is refused.
    apply_page = testapp.get(step_url(data_set, "apply"))
    assert "will not run again" in apply_page.pyquery("[data-testid=batch-applied]").text()
    again = refused(applied_form.submit(status=303), step_url(data_set, "apply"))
    assert "has been applied since this page showed it" in alerts(again)
    assert len(dbsession.scalars(select(Job).where(Job.kind == "batches.execute")).all()) == 1


def test_a_file_it_cannot_read_says_why(
    testapp, store, dbsession, settings, session_factory, tmp_path
) -> None:
    login(testapp, "olga")
    review = review_of_unreadable_file(
        testapp, store["data_set"], settings, session_factory, tmp_path
    )
    assert "UPC" in review.pyquery("[data-testid=batch-error]").text()
    assert review.pyquery("[data-testid=batch-status]").attr("data-status") == "failed"


def test_a_file_that_is_not_csv_or_excel_is_refused(testapp, store, dbsession) -> None:
    login(testapp, "olga")
    save_options(testapp, store["data_set"], catalog_vendor="ACME")
    form = form_posting_to(testapp.get(step_url(store["data_set"], "upload")), "/file/upload")
    form["file"] = webtest.Upload(
        "catalog.xlsx", b"\x00\x01binary\xff" * 100, "application/vnd.ms-excel"
    )
    page = refused(form.submit(status=303), step_url(store["data_set"], "upload"))
    assert "content was checked" in field_error(page, "file")
    assert dbsession.scalars(select(Batch)).all() == []


def test_a_viewer_reviews_but_cannot_change(testapp, store, dbsession) -> None:
    viewer = make_user(dbsession, "vic")
    set_member(store["data_set"], viewer, "viewer")
    dbsession.commit()
    login(testapp, "vic")
    page = testapp.get(step_url(store["data_set"], "upload"))
    assert not any("/file/upload" in (form.action or "") for form in page.forms.values())
    token = testapp.get("/").forms[0]["csrf_token"].value  # the logout form's
    testapp.post(
        step_url(store["data_set"], "upload") + "/file/upload", {"csrf_token": token}, status=403
    )


def test_a_stranger_gets_404(testapp, store, dbsession) -> None:
    make_user(dbsession, "sam")
    login(testapp, "sam")
    testapp.get(step_url(store["data_set"], "review"), status=404)
    testapp.get(step_url(store["data_set"], "report"), status=404)


def test_an_unapplied_batch_is_deleted_with_its_file(
    testapp, store, dbsession, settings, session_factory, tmp_path
) -> None:
    login(testapp, "olga")
    save_options(testapp, store["data_set"], catalog_vendor="ACME")
    upload(testapp, store["data_set"], CATALOG_FILE)
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    batch = dbsession.scalars(select(Batch)).one()
    batch_id, files, key = batch.id, store_from_settings(settings), batch.input_key
    assert files.exists(key)
    # The panel's Delete asks first, on the list of batches.
    page = testapp.get(step_url(store["data_set"], "upload"))
    confirm = testapp.get(page.pyquery("[data-testid=delete-batch]").attr("href"))
    assert f"Delete batch #{batch_id}?" in confirm.pyquery("[data-testid=confirm-delete]").text()
    form = form_posting_to(confirm, "/batches/delete")
    form["batch_id"] = str(batch_id + 1)  # a page that showed another batch
    page = refused(form.submit(status=303), step_url(store["data_set"], "batches"))
    assert f"There is no batch #{batch_id + 1} here any more" in alerts(page)
    assert files.exists(key)
    form["batch_id"] = str(batch_id)
    page = form.submit(status=303).follow()
    assert f"Batch #{batch_id} was deleted" in alerts(page, "success")
    dbsession.rollback()
    deleted = dbsession.scalars(select(Batch)).one()  # kept, so its number is not reused
    assert deleted.deleted_at is not None
    assert not files.exists(key)
    assert page.pyquery("[data-testid=no-batches]")
