"""Batches an operator can find and control, through the whole app: the vendor chosen
on the upload form, the file's columns chosen from lists and remembered, All batches
(open, review, apply, delete after a confirmation), numbers never reused, a failed
upload that does not hide the batch under review, and the same file uploaded again."""

from __future__ import annotations

import json
from typing import Any

import pytest
import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import Batch, Vendor
from poser.tasks.datasets import set_member
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_SOAP
from tests.factories import make_user
from tests.functional.catalog_pages import (
    BUTTER_UP_AGAIN,
    CATALOG_FILE,
    apply_form,
    corner_shop,
    form_posting_to,
    run_queued_jobs,
    save_options,
    step_url,
    upload,
)
from tests.functional.conftest import login
from tests.functional.form_support import alerts, field_error, refused

#: A vendor whose headers Poser does not know: its read fails until columns are chosen.
OWN_HEADERS = f"Barcode No,Our Pack,Net\n{UPC_BUTTER},12,26.40\n{UPC_SOAP},6,6.00\n"


@pytest.fixture
def store(dbsession: Session) -> dict[str, Any]:
    return corner_shop(dbsession)


@pytest.fixture
def jobs(settings, session_factory, tmp_path) -> Any:
    return lambda: run_queued_jobs(settings, session_factory, tmp_path)


def _upload_as(app: webtest.TestApp, data_set: Any, text: str, vendor: str, name: str) -> Any:
    form = form_posting_to(app.get(step_url(data_set, "upload")), "/file/upload")
    form["vendor"] = vendor
    form["file"] = webtest.Upload(name, text.encode(), "text/csv")
    return form.submit(expect_errors=True)


def _two_batches(app: webtest.TestApp, store: dict[str, Any], jobs: Any) -> Any:
    """As olga, with ACME the usual vendor: a catalog, then another, both read; the
    data set."""
    data_set = store["data_set"]
    login(app, "olga")
    save_options(app, data_set, catalog_vendor="ACME")
    upload(app, data_set, CATALOG_FILE)
    upload(app, data_set, BUTTER_UP_AGAIN, "again.csv")
    assert jobs() == ["succeeded", "succeeded"]
    return data_set


def _batches(dbsession: Session) -> list[Batch]:
    dbsession.rollback()
    return list(dbsession.scalars(select(Batch).order_by(Batch.id)))


def test_the_vendor_is_chosen_on_the_upload_form(testapp, store, dbsession, jobs) -> None:
    data_set = store["data_set"]
    login(testapp, "olga")
    save_options(testapp, data_set, catalog_vendor="ACME")
    form = form_posting_to(testapp.get(step_url(data_set, "upload")), "/file/upload")
    assert form["vendor"].value == "ACME"  # the usual vendor comes first
    assert [value for value, *_ in form["vendor"].options] == ["", "ACME", "BETA"]
    # Named as every vendor select names them: "code: name".
    assert [text for *_, text in form["vendor"].options][1] == "ACME: Acme Foods"
    assert _upload_as(testapp, data_set, CATALOG_FILE, "BETA", "beta.csv").status_int == 303
    assert jobs() == ["succeeded"]
    assert _batches(dbsession)[-1].parameters["vendor_code"] == "BETA"
    # A vendor the form does not offer is refused next to the field; nothing is kept.
    form = form_posting_to(testapp.get(step_url(data_set, "upload")), "/file/upload")
    form["vendor"].force_value("ZZZ")
    form["file"] = webtest.Upload("x.csv", CATALOG_FILE.encode(), "text/csv")
    page = refused(form.submit(status=303), step_url(data_set, "upload"))
    assert field_error(page, "vendor") == "Choose one of the vendors listed."
    assert len(_batches(dbsession)) == 1


def test_a_batch_names_its_vendor_as_the_vendor_selects_do(testapp, store, jobs) -> None:
    data_set = _two_batches(testapp, store, jobs)

    panel = testapp.get(step_url(data_set, "review")).pyquery("[data-testid=batch-panel] dl")
    shown = dict(zip([e.text for e in panel("dt")], [e.text for e in panel("dd")], strict=True))
    assert shown["Vendor"] == "ACME: Acme Foods"
    listed = testapp.get(step_url(data_set, "batches")).pyquery("[data-testid=batch-list] td")
    assert [cell.text for cell in listed].count("ACME: Acme Foods") == 2
    report = testapp.get(step_url(data_set, "report")).text
    assert "<td>ACME: Acme Foods</td>" in report  # the batch before it, in the history


def test_the_report_lists_the_batches_before_the_one_on_screen(
    testapp, store, dbsession, jobs
) -> None:
    data_set = _two_batches(testapp, store, jobs)
    upload(testapp, data_set, BUTTER_UP_AGAIN, "third.csv")
    assert jobs() == ["succeeded"]

    def earlier(page: Any) -> list[str]:
        return [
            row.text for row in page.pyquery("[data-testid=earlier-batches] tbody td:first-child")
        ]

    first, second, _third = (f"#{batch.id}" for batch in _batches(dbsession))
    assert earlier(testapp.get(step_url(data_set, "report"))) == [second, first]
    opened = testapp.get(step_url(data_set, "batches") + "/batches/open",
                         params={"batch": second[1:], "step": "apply"}, status=303)  # fmt: skip
    assert opened.follow().pyquery("[data-testid=batch-panel]").attr("data-batch") == second[1:]
    assert earlier(testapp.get(step_url(data_set, "report"))) == [first]


def test_all_batches_open_review_apply_and_delete_after_confirming(
    testapp, store, dbsession, jobs
) -> None:
    data_set = _two_batches(testapp, store, jobs)
    first, second = (batch.id for batch in _batches(dbsession))

    # The Upload step links to the list; the list shows each batch in words.
    upload_page = testapp.get(step_url(data_set, "upload"))
    listed = testapp.get(upload_page.pyquery("[data-testid=all-batches]").attr("href"))
    rows = listed.pyquery("[data-testid=batch-list] tbody tr")
    assert [row.get("data-batch") for row in rows] == [str(second), str(first)]
    text = listed.pyquery("[data-testid=batch-list]").text()
    for shown in ("Ready to review", "again.csv", "olga"):
        assert shown in text
    assert "populated" not in text

    # Opening the older batch shows it on the steps, which act on it.
    opened = testapp.get(step_url(data_set, "batches") + "/batches/open",
                         params={"batch": first, "step": "apply"}, status=303)  # fmt: skip
    assert opened.location.endswith("/steps/apply")
    apply_page = opened.follow()
    assert apply_page.pyquery("[data-testid=batch-panel]").attr("data-batch") == str(first)
    assert (
        f"the current batch is #{second}" in apply_page.pyquery("[data-testid=batch-opened]").text()
    )
    acknowledged = form_posting_to(apply_page, "/batch/acknowledge").submit(status=303).follow()
    assert "Acknowledged" in alerts(acknowledged, "success")
    dbsession.rollback()
    assert dbsession.get(Batch, first).acknowledged_at is not None

    # A batch that is not there: back to the list, said in words.
    for asked in ("999999", "abc"):
        page = refused(
            testapp.get(
                step_url(data_set, "batches") + "/batches/open", params={"batch": asked}, status=303
            ),
            step_url(data_set, "batches"),
        )
        assert "There is no such batch here" in alerts(page)
        missing = testapp.get(step_url(data_set, "batches"), params={"delete": asked})
        assert missing.pyquery("[data-testid=confirm-missing]")

    # Delete asks first; the confirmation's form deletes and goes back to the list.
    confirm = testapp.get(listed.pyquery(f"[data-testid=delete-{second}]").attr("href"))
    assert f"Delete batch #{second}?" in confirm.pyquery("[data-testid=confirm-delete]").text()
    done = form_posting_to(confirm, "/batches/delete").submit(status=303).follow()
    assert f"Batch #{second} was deleted" in alerts(done, "success")
    assert [row.get("data-batch") for row in done.pyquery("tbody tr")] == [str(first)]
    # The same confirmation sent again is refused: the batch is gone.
    again = refused(
        form_posting_to(confirm, "/batches/delete").submit(status=303),
        step_url(data_set, "batches"),
    )
    assert f"There is no batch #{second} here any more" in alerts(again)

    # The highest number is never given again.
    upload(testapp, data_set, BUTTER_UP_AGAIN, "third.csv")
    assert jobs() == ["succeeded"]
    assert [batch.id for batch in _batches(dbsession)] == [first, second, second + 1]
    review = testapp.get(step_url(data_set, "review"))
    assert review.pyquery("[data-testid=batch-panel]").attr("data-batch") == str(second + 1)


def test_a_viewer_sees_the_list_but_no_delete(testapp, store, dbsession, jobs) -> None:
    data_set = store["data_set"]
    login(testapp, "olga")
    save_options(testapp, data_set, catalog_vendor="ACME")
    upload(testapp, data_set, CATALOG_FILE)
    assert jobs() == ["succeeded"]
    set_member(data_set, make_user(dbsession, "vic"), "viewer")
    dbsession.commit()
    logout = next(f for f in testapp.get("/").forms.values() if f.action == "/logout")
    logout.submit(status=303)
    login(testapp, "vic")
    batch_id = _batches(dbsession)[0].id
    page = testapp.get(step_url(data_set, "batches"), params={"delete": batch_id})
    assert page.pyquery("[data-testid=batch-list]")
    assert not page.pyquery("[data-testid=confirm-delete]")
    assert not page.pyquery(f"[data-testid=delete-{batch_id}]")


def test_a_file_that_could_not_be_read_does_not_hide_the_batch_under_review(
    testapp, store, dbsession, jobs
) -> None:
    data_set = store["data_set"]
    login(testapp, "olga")
    save_options(testapp, data_set, catalog_vendor="ACME")
    upload(testapp, data_set, CATALOG_FILE)
    upload(testapp, data_set, "Description,Pack\nThing,1\n", "broken.csv")
    assert jobs() == ["succeeded", "failed"]
    good, broken = (batch.id for batch in _batches(dbsession))
    review = testapp.get(step_url(data_set, "review"))
    assert review.pyquery("[data-testid=batch-panel]").attr("data-batch") == str(good)
    notice = review.pyquery("[data-testid=failed-since]").text()
    assert f"broken.csv (batch #{broken}), could not be read" in notice
    assert f"Batch #{good} is still the one to review and apply" in notice
    assert len(review.pyquery("[data-widget=rows] tbody tr[data-key]")) == 4


def test_the_same_file_again_warns_and_links_to_the_earlier_batch(
    testapp, store, dbsession, jobs
) -> None:
    data_set = store["data_set"]
    login(testapp, "olga")
    save_options(testapp, data_set, catalog_vendor="ACME")
    upload(testapp, data_set, CATALOG_FILE)
    page = upload(testapp, data_set, CATALOG_FILE, "renamed.csv").follow()
    assert jobs() == ["succeeded", "succeeded"]
    first, second = (batch.id for batch in _batches(dbsession))
    assert f"the same as the file of batch #{first} (acme.csv" in alerts(page, "warning")
    panel = testapp.get(step_url(data_set, "review")).pyquery("[data-testid=same-file]")
    assert f"the same as the file of batch #{first}" in panel.text()
    link = panel.find("a").attr("href")
    assert testapp.get(link, status=303).location.endswith("/steps/review")
    opened = testapp.get(step_url(data_set, "review"))
    assert opened.pyquery("[data-testid=batch-panel]").attr("data-batch") == str(first)
    assert second != first


def test_columns_are_chosen_from_lists_and_remembered_for_the_vendor(
    testapp, store, dbsession, jobs
) -> None:
    data_set = store["data_set"]
    login(testapp, "olga")
    save_options(testapp, data_set, catalog_vendor="ACME")
    upload(testapp, data_set, OWN_HEADERS, "own.csv")
    assert jobs() == ["failed"]
    page = testapp.get(step_url(data_set, "upload"))
    form = form_posting_to(page, "/columns/save")
    headers = [el.get("data-header") for el in page.pyquery("[data-testid=column-choice] select")]
    assert headers == ["Barcode No", "Our Pack", "Net"]
    offered = [label for _, _, label in form["column_0"].options]
    assert offered[:3] == ["Not read", "UPC", "Vendor's item code"]
    assert "case_cost" not in page.pyquery("[data-testid=column-choice]").text()
    # Two columns read as one: refused with why, nothing read again.
    form["column_0"], form["column_1"], form["column_2"] = "upc", "upc", "case_cost"
    again = refused(form.submit(status=303), step_url(data_set, "upload"))
    assert "both read as UPC" in alerts(again)
    assert jobs() == []
    form["column_1"] = "case_size"
    done = form.submit(status=303).follow()
    assert "read again with the columns you chose" in alerts(done, "success")
    assert jobs() == ["succeeded"]
    dbsession.rollback()
    acme = dbsession.scalars(select(Vendor).where(Vendor.code == "ACME")).one()
    assert acme.column_mapping == {"Barcode No": "upc", "Our Pack": "case_size", "Net": "case_cost"}
    # The vendor's next file is read with them, and the lists show them chosen.
    upload(testapp, data_set, OWN_HEADERS.replace("26.40", "27.00"), "own-2.csv")
    assert jobs() == ["succeeded"]
    page = testapp.get(step_url(data_set, "upload"))
    chosen = form_posting_to(page, "/columns/save")
    assert [chosen[f"column_{i}"].value for i in range(3)] == ["upc", "case_size", "case_cost"]


def test_the_review_grid_shows_statuses_as_badges(testapp, store, jobs) -> None:
    data_set = store["data_set"]
    login(testapp, "olga")
    save_options(testapp, data_set, catalog_vendor="ACME")
    upload(testapp, data_set, CATALOG_FILE)
    assert jobs() == ["succeeded"]
    review = testapp.get(step_url(data_set, "review"), params={"rows.sort": "line"})
    badges = review.pyquery("[data-widget=rows] tbody tr[data-key] .status-badge")
    shown = [(badge.get("data-status"), badge.text, badge.get("class")) for badge in badges]
    assert shown == [
        ("cost_up", "Cost up", "badge status-badge tone-bad-soft"),
        ("cost_down", "Cost down", "badge status-badge tone-ok-soft"),
        ("new_item", "New item", "badge status-badge tone-info"),
        ("error", "Error", "badge status-badge tone-bad"),
    ]
    # The grid's own fragment (htmx: a filter, a page) draws them the same way.
    rows = testapp.get(
        step_url(data_set, "review") + "/rows/rows",
        params={"rows.status.in": "cost_up"},
        headers={"HX-Request": "true"},
    )
    assert [b.text for b in rows.pyquery("tbody tr[data-key] .status-badge")] == ["Cost up"]


def test_after_the_apply_the_page_is_brought_up_to_date_without_a_reload(
    testapp, store, dbsession, jobs
) -> None:
    data_set = store["data_set"]
    login(testapp, "olga")
    save_options(testapp, data_set, catalog_vendor="ACME")
    upload(testapp, data_set, BUTTER_UP_AGAIN)
    assert jobs() == ["succeeded"]
    apply_url = step_url(data_set, "apply")
    apply_page = testapp.get(apply_url)
    assert apply_page.pyquery("[data-testid=delete-batch]")
    apply_form(apply_page).submit(status=303)
    page = testapp.get(apply_url)
    poll = page.pyquery("#job-panel").attr("hx-get")
    assert "update=1" in poll
    assert "reload" not in poll
    page_url = f"http://localhost{apply_url}"
    htmx = {"HX-Request": "true", "HX-Current-URL": page_url}
    waiting = testapp.get(poll, headers=htmx)
    assert "HX-Location" not in waiting.headers  # not finished: it asks again
    assert "update=1" in waiting.pyquery("#job-panel").attr("hx-get")
    assert jobs() == ["succeeded", "succeeded"]  # the apply, then its report
    done = testapp.get(poll, headers=htmx)
    assert json.loads(done.headers["HX-Location"]) == {
        "path": apply_url,
        "target": "main",
        "select": "main",
        "swap": "outerHTML",
        "push": "false",
    }
    assert "HX-Refresh" not in done.headers
    # What htmx then swaps in: the step done, the batch applied, no Delete.
    updated = testapp.get(apply_url)
    assert updated.pyquery("[data-step-state]").attr("data-step-state") == "done"  # Apply
    assert updated.pyquery("[data-testid=batch-status]").attr("data-status") == "executed"
    assert not updated.pyquery("[data-testid=delete-batch]")
    assert not updated.pyquery("[data-form=execute]")  # applied: no Apply button, not even greyed
    # A page of another site is not fetched: the page reloads instead.
    elsewhere = testapp.get(poll, headers={**htmx, "HX-Current-URL": "http://example.org/x"})
    assert elsewhere.headers["HX-Refresh"] == "true"
    assert "HX-Location" not in elsewhere.headers


def test_without_a_usual_vendor_the_last_uploads_vendor_is_offered(testapp, store, jobs) -> None:
    data_set = store["data_set"]
    login(testapp, "olga")
    form = form_posting_to(testapp.get(step_url(data_set, "upload")), "/file/upload")
    assert form["vendor"].value == ""  # nothing to go by: the operator chooses
    _upload_as(testapp, data_set, CATALOG_FILE, "BETA", "beta.csv")
    assert jobs() == ["succeeded"]
    form = form_posting_to(testapp.get(step_url(data_set, "upload")), "/file/upload")
    assert form["vendor"].value == "BETA"


def test_a_catalog_that_changes_no_cost_has_no_change_to_chart(
    testapp, store, dbsession, jobs
) -> None:
    data_set = store["data_set"]
    login(testapp, "olga")
    save_options(testapp, data_set, catalog_vendor="ACME")
    upload(testapp, data_set, HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,24.00\n")
    assert jobs() == ["succeeded"]
    review = testapp.get(step_url(data_set, "review"))
    said = review.pyquery("[data-testid=chart-changes-empty]").text()
    assert said == "No unit cost changes to chart."
    assert not review.pyquery("[data-widget=changes] canvas")
