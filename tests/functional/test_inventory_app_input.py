"""Bad input on the Inventory Application's steps, through its real forms, CSRF on:
each gets a message the operator can act on and a 303 back (or a 4xx), never a 500,
and nothing changes. Also the typed lines' list (change, delete) and the count that
is open to more files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import webtest
from sqlalchemy.orm import Session

from poser.tasks.datasets import set_member
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_MILK, UPC_NEW, UPC_SOAP
from tests.factories import make_user
from tests.functional.catalog_pages import form_posting_to, run_queued_jobs
from tests.functional.conftest import login
from tests.functional.inventory_pages import (
    count_of,
    save_departments,
    save_options,
    type_line,
    upload_scan,
    url,
)
from tests.functional.inventory_pages import testapp as testapp


def _messages(page: Any) -> str:
    return page.pyquery(".alert, .invalid-feedback, .help-block, .error").text()


@pytest.fixture
def olga(testapp: webtest.TestApp, shop: dict[str, Any]) -> webtest.TestApp:
    login(testapp, "olga")
    return testapp


@pytest.mark.parametrize(
    ("upc", "quantity", "field", "said"),
    [
        (UPC_NEW, "1", "upc", "UPC 070038000563 is not in the catalog"),
        ("hello", "1", "upc", "Not counted. UPC"),
        ("", "1", "upc", "Scan or type the UPC."),
        (UPC_BUTTER, "-3", "quantity", "Quantity -3 is negative"),
        (UPC_BUTTER, "1.5", "quantity", "sold by the unit"),
        (UPC_BUTTER, "lots", "quantity", "Quantity 'lots' is not a number"),
        (UPC_BUTTER, "", "quantity", "Give how many were counted."),
    ],
)
def test_a_typed_line_that_cannot_be_counted_is_said_next_to_its_field(
    olga: webtest.TestApp, shop: dict[str, Any], dbsession: Session, upc, quantity, field, said
) -> None:
    data_set = shop["data_set"]
    refused = type_line(olga, data_set, upc, quantity, section="A1")
    assert refused.status_int == 303
    page = refused.follow()
    form = form_posting_to(page, "/typed/add")
    assert form["upc"].value == upc
    assert form["section"].value == "A1"
    item = page.pyquery(f".item-{field}")
    assert said in item.text(), page.pyquery("main").text()
    assert not page.pyquery("[data-testid=typed-lines]")


def test_typed_lines_are_listed_changed_and_deleted(
    olga: webtest.TestApp, shop: dict[str, Any], dbsession: Session
) -> None:
    data_set = shop["data_set"]
    type_line(olga, data_set, UPC_MILK, "3", section="Cooler")
    type_line(olga, data_set, UPC_BUTTER, "2", unit="cases")
    page = olga.get(url(data_set, "count"))
    rows = page.pyquery("[data-testid=typed-lines] tbody tr")
    assert [row.get("data-line") for row in rows] == ["2", "1"]  # newest first
    assert "24 units in all" in rows.eq(0).text()  # butter: 12 a case
    assert "Butter" in rows.eq(0).text()

    edit = next(f for f in page.forms.values() if "/typed/edit" in (f.action or "")
                and f["number"].value == "1")  # fmt: skip
    edit["quantity"] = "5"
    edit["section"] = "Cooler 2"
    changed = edit.submit(status=303).follow()
    assert "Typed line 1 changed." in changed.text
    assert count_of(dbsession, data_set).parameters["typed"][0]["quantity"] == "5"

    edit = next(f for f in changed.forms.values() if "/typed/edit" in (f.action or "")
                and f["number"].value == "1")  # fmt: skip
    edit["quantity"] = "-1"
    refused = edit.submit(status=303).follow()
    assert "Typed line 1: Not counted. Quantity -1 is negative" in _messages(refused)
    assert count_of(dbsession, data_set).parameters["typed"][0]["quantity"] == "5"

    delete = next(f for f in refused.forms.values() if "/typed/delete" in (f.action or "")
                  and f["number"].value == "2")  # fmt: skip
    deleted = delete.submit(status=303).follow()
    assert "Typed line 2 deleted." in deleted.text
    assert [line["number"] for line in count_of(dbsession, data_set).parameters["typed"]] == [1]


def test_a_form_naming_another_count_or_line_changes_nothing(
    olga: webtest.TestApp, shop: dict[str, Any], dbsession: Session
) -> None:
    data_set = shop["data_set"]
    type_line(olga, data_set, UPC_MILK, "3")
    for field, value, said in (
        ("batch", "999999", "is no longer the count open here"),
        ("number", "7", "has no typed line 7"),
        ("number", "seven", "Line:"),
    ):
        delete = form_posting_to(olga.get(url(data_set, "count")), "/typed/delete")
        delete[field] = value
        assert said in _messages(delete.submit(status=303).follow())
    assert len(count_of(dbsession, data_set).parameters["typed"]) == 1


@pytest.mark.parametrize(
    ("body", "name", "said"),
    [
        (b"\x00\x01\x02PK binary \x00" * 50, "scan.dat", "This file is not a CSV file"),
        (b"", "empty.csv", "The file is empty."),
        (b"  \n \n", "blank.csv", "blank.csv is empty"),
        (HEADER.encode() + b"036000291452,A-100,Butter,,,12,26.40\n", "acme.csv",
         "looks like a vendor catalog"),
        (b"Item,Count\nx,1\n", "odd.csv", "without a UPC column"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_count_is_refused_with_its_reason(
    olga: webtest.TestApp, shop: dict[str, Any], dbsession: Session, body, name, said
) -> None:
    data_set = shop["data_set"]
    refused = upload_scan(olga, data_set, body, name)
    assert refused.status_int == 303
    page = refused.follow()
    assert said in page.pyquery("main").text()
    dbsession.rollback()
    assert "No count has been uploaded" in page.text  # no count was made


def test_the_same_file_twice_is_refused_and_a_file_an_earlier_count_read_is_warned_about(
    olga: webtest.TestApp,
    shop: dict[str, Any],
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    data_set = shop["data_set"]
    scan = f"{UPC_BUTTER},3\n{UPC_SOAP} 2\n".encode()
    assert upload_scan(olga, data_set, scan, "one.csv").status_int == 303
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    again = upload_scan(olga, data_set, scan, "one-again.csv").follow()
    assert "is the same file as one.csv, already in this count" in again.text
    first = count_of(dbsession, data_set)
    assert len(first.parameters["files"]) == 1

    first.status = "executed"  # as if applied: the next file starts a new count
    dbsession.commit()
    later = upload_scan(olga, data_set, scan, "one-later.csv").follow()
    assert f"read into batch #{first.id} (applied), an earlier count" in later.text
    assert "Uploaded one-later.csv" in later.text


def test_options_that_cannot_be_used_are_refused(
    olga: webtest.TestApp, shop: dict[str, Any], dbsession: Session
) -> None:
    data_set = shop["data_set"]
    refused = save_options(olga, data_set, inventory_threshold_units="-4")
    assert refused.status_int == 303
    assert "Give a number from 0 up" in refused.follow().text
    refused = save_options(olga, data_set, inventory_threshold_percent="ten")
    assert refused.status_int == 303
    assert refused.follow().pyquery(".item-inventory_threshold_percent .invalid-feedback")
    form = olga.get(url(data_set, "options")).forms["departments-departments"]
    box = form.fields["department"][0]
    box._value, box.checked = "99", True  # a forged form: not a department of the list
    refused = form.submit("save", status=303).follow()
    assert "Departments: tick departments of the list only." in refused.text

    # Zero the rest without departments: the first line is refused, saying where to go.
    save_options(olga, data_set, inventory_mode="zero_rest")
    save_departments(olga, data_set)
    refused = type_line(olga, data_set, UPC_MILK, "1").follow()
    assert "Zero the rest needs the departments being counted" in _messages(refused)
    assert "Options step" in _messages(refused)


def test_a_form_without_its_csrf_token_is_refused(
    olga: webtest.TestApp, shop: dict[str, Any]
) -> None:
    data_set = shop["data_set"]
    action = form_posting_to(olga.get(url(data_set, "count")), "/typed/add").action
    refused = olga.post(action, {"upc": UPC_MILK, "quantity": "1"}, expect_errors=True)
    assert refused.status_int == 400


def test_a_count_for_its_variances_only_says_nothing_will_be_applied(
    olga: webtest.TestApp,
    shop: dict[str, Any],
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    data_set = shop["data_set"]
    assert save_options(olga, data_set, inventory_mode="variance_only").status_int == 303
    upload_scan(olga, data_set, f"{UPC_BUTTER},3\n".encode())
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    apply = olga.get(url(data_set, "apply"))
    blockers = apply.pyquery("[data-testid=blockers]").text()
    assert "for its variances only (mode: Variance only): nothing is applied" in blockers
    assert apply.pyquery("form[data-form=execute] button").attr("disabled") is not None
    form = form_posting_to(apply, "/apply/run")
    refused = form.submit(status=303).follow()
    assert "nothing is applied" in _messages(refused)
    assert count_of(dbsession, data_set).status == "populated"


def test_lines_wait_while_the_counts_files_are_read(
    olga: webtest.TestApp,
    shop: dict[str, Any],
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    data_set = shop["data_set"]
    upload_scan(olga, data_set, f"{UPC_BUTTER},3\n".encode())
    page = olga.get(url(data_set, "count"))
    assert "The count's files are being read" in page.pyquery("[data-testid=typed-reading]").text()
    refused = type_line(olga, data_set, UPC_MILK, "2").follow()
    assert "add typed lines once they are" in _messages(refused)
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    assert type_line(olga, data_set, UPC_MILK, "2").status_int == 303
    assert len(count_of(dbsession, data_set).parameters["typed"]) == 1


def test_a_viewer_reads_the_count_without_its_forms(
    testapp: webtest.TestApp, shop: dict[str, Any], dbsession: Session
) -> None:
    data_set = shop["data_set"]
    login(testapp, "olga")
    type_line(testapp, data_set, UPC_MILK, "2", section="Cooler")
    testapp.reset()
    viewer = make_user(dbsession, "vic")
    set_member(dbsession.merge(data_set), viewer, "viewer")
    dbsession.commit()
    login(testapp, "vic")
    page = testapp.get(url(data_set, "count"))
    assert "Cooler" in page.pyquery("[data-testid=typed-lines]").text()
    assert not [f for f in page.forms.values() if "/typed/" in (f.action or "")]
    assert not [f for f in page.forms.values() if "/file/upload" in (f.action or "")]
    options = testapp.get(url(data_set, "options"))
    assert options.pyquery("[data-testid=inventory-departments] fieldset[disabled]")
