"""What the pages add to a count: a file checked before it goes in, a file an earlier
count read found, typed lines refused when they cannot be counted (nothing written),
which counts still take inputs, and the confirmation of rows flagged for recount."""

from __future__ import annotations

import pytest

from poser.tasks.batches import BatchError
from poser.tasks.batches.inventory.counting import (
    CONFIRM_FIELD,
    add_file,
    add_typed_line,
    check_confirmed,
    check_file,
    earlier_count,
    earlier_count_message,
    edit_typed_line,
    is_open,
    make_count,
)
from poser.utils.timeutil import utcnow
from tests.catalog_support import UPC_BUTTER, UPC_MILK, UPC_NEW, UPC_SOAP, upload_text
from tests.inventory_support import by_upc, count, handler, rows, set_on_hand


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        (b"   \n\n", "is empty"),
        (b"UPC,Description,Case Cost\n036000291452,Butter,24.00\n", "looks like a vendor catalog"),
        (b"036000291452,A-100,Butter,12,24.00\n", "has 5 columns"),
        (b"Item,Count\nx,1\n", "without a UPC column"),
        (b"UPC,Qty\nabc,x\n", "No line of scan.csv reads as a count"),
    ],
)
def test_a_file_that_is_not_a_count_is_refused_before_it_goes_in(
    dbsession, files, store, body, refusal
) -> None:
    batch = count(store, files, populate=False)
    upload = upload_text(store["data_set"], files, body, "scan.csv")
    with pytest.raises(BatchError, match=refusal):
        check_file(batch, files, upload)
    assert not files.exists(upload.key)
    assert batch.parameters["files"] == []


def test_a_count_file_passes_the_check_unchanged(dbsession, files, store) -> None:
    batch = count(store, files, populate=False)
    upload = upload_text(store["data_set"], files, f"{UPC_BUTTER},3\n{UPC_SOAP}\n", "scan.csv")
    check_file(batch, files, upload)
    add_file(batch, files, upload)
    handler.populate(batch, files)
    assert by_upc(dbsession, batch)[UPC_SOAP.lstrip("0")].counted_units == 1


def test_a_file_an_earlier_count_read_is_found_with_that_count(dbsession, files, store) -> None:
    text = f"{UPC_BUTTER},3\n"
    first = count(store, files, text)
    handler.execute(first, None)
    second = count(store, files, text, f"{UPC_SOAP},1\n", populate=False)
    sha = second.parameters["files"][0]["sha256"]
    assert earlier_count(second, sha) == first
    assert earlier_count(second, second.parameters["files"][1]["sha256"]) is None
    assert earlier_count(first, sha) == second  # the other count, whichever is newer
    message = earlier_count_message("scan1.csv", first)
    assert f"batch #{first.id} (applied)" in message
    first.deleted_at = utcnow()  # a deleted count is not one to warn about
    dbsession.flush()
    assert earlier_count(second, sha) is None


@pytest.mark.parametrize(
    ("upc", "quantity", "refusal"),
    [
        (UPC_NEW, "1", r"Not counted\. UPC 070038000563 is not in the catalog"),
        ("abc", "1", r"Not counted\. UPC"),
        (UPC_BUTTER, "-2", "negative"),
        (UPC_BUTTER, "2.5", "sold by the unit"),
        (UPC_BUTTER, "a dozen", "not a number"),
        (UPC_BUTTER, "", "The quantity is empty"),
        (UPC_BUTTER, "1000000", "more than 100,000"),
    ],
)
def test_a_typed_line_that_cannot_be_counted_is_refused_and_nothing_written(
    dbsession, files, store, upc, quantity, refusal
) -> None:
    batch = make_count(store["data_set"], files, {"mode": "replace"}, None)
    add_typed_line(batch, UPC_MILK, "2")
    version = batch.version
    with pytest.raises(BatchError, match=refusal):
        add_typed_line(batch, upc, quantity, refuse_errors=True)
    assert [line["upc"] for line in batch.parameters["typed"]] == [UPC_MILK]
    assert batch.version == version
    assert len(rows(dbsession, batch)) == 1
    with pytest.raises(BatchError, match=refusal):
        edit_typed_line(batch, 1, upc, quantity, refuse_errors=True)
    assert batch.parameters["typed"][0]["quantity"] == "2"


def test_without_refusing_a_bad_typed_line_is_a_row_in_error(dbsession, files, store) -> None:
    batch = make_count(store["data_set"], files, {"mode": "replace"}, None)
    line = add_typed_line(batch, UPC_NEW, "1")
    assert line.status == "error"


def test_which_counts_take_inputs(dbsession, files, store) -> None:
    batch = count(store, files, f"{UPC_BUTTER},3\n")
    assert is_open(batch)
    batch.status = "failed"  # a file that could not be read: another file reads it again
    assert is_open(batch)
    batch.status = "populated"
    handler.execute(batch, None)
    assert not is_open(batch)
    assert not is_open(None)
    other = count(store, files, f"{UPC_SOAP},3\n", populate=False)
    other.deleted_at = utcnow()
    assert not is_open(other)


def test_a_file_added_to_a_count_that_failed_reads_it_again(dbsession, files, store) -> None:
    batch = count(store, files, f"{UPC_BUTTER},3\n")
    batch.status = "failed"
    add_file(batch, files, upload_text(store["data_set"], files, f"{UPC_SOAP},1\n", "b.csv"))
    assert batch.status == "new"


def test_rows_flagged_for_recount_are_applied_only_when_confirmed_by_their_count(
    dbsession, files, store
) -> None:
    set_on_hand(dbsession, store, butter="100", soap="10")
    batch = count(store, files, f"{UPC_BUTTER},50\n{UPC_SOAP},10\n", threshold_units="5")
    with pytest.raises(BatchError, match="would apply 1 row flagged for recount"):
        check_confirmed(batch, {})
    with pytest.raises(BatchError, match="nothing was applied"):
        check_confirmed(batch, {CONFIRM_FIELD: "2"})  # what an older page showed
    check_confirmed(batch, {CONFIRM_FIELD: "1"})
    calm = count(store, files, f"{UPC_SOAP},11\n", threshold_units="5")
    check_confirmed(calm, {})  # nothing flagged: nothing to confirm
