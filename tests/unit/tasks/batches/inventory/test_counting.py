"""Reading a count: files merged, units and cases, typed lines, and bad input (a
message per line, or the whole file refused)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from poser.tasks.batches import BatchError
from poser.tasks.batches.inventory.counting import (
    add_file,
    add_typed_line,
    delete_typed_line,
    edit_typed_line,
    make_count,
)
from tests.catalog_support import UPC_BUTTER, UPC_MILK, UPC_NEW, UPC_SOAP, upload_text
from tests.inventory_support import by_upc, count, handler, rows, set_on_hand

B, S, M = (upc.lstrip("0") for upc in (UPC_BUTTER, UPC_SOAP, UPC_MILK))


def test_lines_of_the_same_upc_add_up_across_files(dbsession, files, store) -> None:
    set_on_hand(dbsession, store, butter="1")
    batch = count(
        store,
        files,
        f"{UPC_BUTTER},3\n{UPC_SOAP},1\n",
        f"UPC;Qty;Aisle\n{UPC_BUTTER};2;B4\n",
        f"{UPC_BUTTER}\n{UPC_BUTTER}\n",  # one line per scan
    )
    butter = by_upc(dbsession, batch)[B]
    assert butter.counted_units == 7
    assert butter.new_on_hand == 7
    merged = [row for row in rows(dbsession, batch) if row.status == "merged"]
    assert len(merged) == 3
    assert merged[0].message == "Added to the count on line 1 of scan1.csv"
    assert batch.status_counts["merged"] == 3


def test_cases_count_the_preferred_case_size(dbsession, files, store) -> None:
    # Butter comes 12 to a case; soap 6.
    batch = count(
        store,
        files,
        ("cases.txt", f"{UPC_BUTTER} 2\n", "cases"),
        f"UPC,Qty,Unit\n{UPC_SOAP},1,cs\n{UPC_SOAP},4,each\n",
    )
    found = by_upc(dbsession, batch)
    assert found[B].counted_units == 24
    assert found[B].unit == "cases"
    assert found[S].counted_units == 10


def test_a_header_of_cases_counts_cases(dbsession, files, store) -> None:
    batch = count(store, files, f"Barcode,Cases\n{UPC_MILK},3\n")
    assert by_upc(dbsession, batch)[M].counted_units == 12


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (f"{UPC_NEW},2", "is not in the catalog"),
        (f"{UPC_BUTTER},-2", "negative"),
        (f"{UPC_BUTTER},1.5", "counted in whole units"),
        (f"{UPC_BUTTER},250000", "cannot be a count"),
        (f"{UPC_BUTTER},{UPC_SOAP}", "cannot be a count"),
        (f"{UPC_BUTTER},lots", "is not a number"),
        (f"{UPC_BUTTER},1.2345", "more than three decimals"),
        (f"{UPC_BUTTER},", "the quantity is empty"),
        ("012345678900,1", "check digit is wrong"),
        ("butter,1", "not a UPC"),
    ],
)
def test_a_bad_line_is_in_error_with_its_reason(dbsession, files, store, line, message) -> None:
    batch = count(store, files, f"{UPC_SOAP},1\n{line}\n")
    errors = [row for row in rows(dbsession, batch) if row.status == "error"]
    assert len(errors) == 1
    assert message in errors[0].message
    assert errors[0].line == 2
    assert handler.needs_acknowledgement(batch) == 1


def test_a_fraction_is_counted_for_a_product_sold_by_weight(dbsession, files, store) -> None:
    store["butter"].size = "lb"
    batch = count(store, files, f"{UPC_BUTTER},1.25\n{UPC_BUTTER},0.5\n")
    assert by_upc(dbsession, batch)[B].counted_units == Decimal("1.75")


def test_cases_without_a_case_size_are_in_error(dbsession, files, store) -> None:
    for cost in store["butter"].costs:
        dbsession.delete(cost)
    dbsession.flush()
    batch = count(store, files, ("c.csv", f"{UPC_BUTTER},1\n", "cases"), f"{UPC_SOAP},1\n")
    assert "no preferred vendor's case size" in by_upc(dbsession, batch)[B].message


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        (b"   \n\n", "is empty"),
        (b"\x00\x01binary\x00", "not a text file"),
        (b"UPC,Description,Case Cost\n036000291452,Butter,24.00\n", "looks like a vendor catalog"),
        (b"036000291452,A-100,Butter,12,24.00\n", "has 5 columns"),
        (b"Item,Count\nx,1\n", "without a UPC column"),
        (b"UPC,Qty\n", "no lines under it"),
        (b"UPC,Qty\nabc,x\n", "No line of scan1.csv reads as a count"),
    ],
)
def test_a_file_that_is_not_a_count_is_refused(dbsession, files, store, body, refusal) -> None:
    batch = count(store, files, populate=False)
    upload = upload_text(store["data_set"], files, body.replace(b"\x00", b"") or b" ", "scan1.csv")
    add_file(batch, files, upload)
    files.write(upload.key, body)  # as stored: the upload check already refuses binary
    with pytest.raises(BatchError, match=refusal):
        handler.populate(batch, files)


def test_the_same_file_twice_is_refused(dbsession, files, store) -> None:
    text = f"{UPC_BUTTER},3\n"
    batch = count(store, files, text, populate=False)
    again = upload_text(store["data_set"], files, text, "again.csv")
    with pytest.raises(BatchError, match=r"same file as scan1\.csv"):
        add_file(batch, files, again)
    assert not files.exists(again.key)
    assert len(batch.parameters["files"]) == 1


def test_typed_lines_add_up_with_the_files_and_are_kept_when_read_again(
    dbsession, files, store
) -> None:
    set_on_hand(dbsession, store, butter="5")
    batch = count(store, files, f"{UPC_BUTTER},3\n")
    line = add_typed_line(batch, UPC_BUTTER, "2", section="Cooler")
    assert line.number == 1
    assert line.status == "merged"
    assert line.description == "Butter"
    assert by_upc(dbsession, batch)[B].counted_units == 5
    unknown = add_typed_line(batch, UPC_NEW, "1")
    assert unknown.status == "error"
    assert "is not in the catalog" in unknown.message
    edited = edit_typed_line(batch, 2, UPC_SOAP, "4")
    assert edited.status == "increase"
    delete_typed_line(batch, 1)
    assert by_upc(dbsession, batch)[B].counted_units == 3
    handler.populate(batch, files)
    found = by_upc(dbsession, batch)
    assert found[B].counted_units == 3
    assert found[S].counted_units == 4
    assert found[S].file_name == ""


def test_a_count_of_typed_lines_only(dbsession, files, store) -> None:
    batch = make_count(store["data_set"], files, {"mode": "replace"}, None)
    add_typed_line(batch, UPC_MILK, "2", unit="cases")
    assert batch.status == "populated"
    assert by_upc(dbsession, batch)[M].counted_units == 8
    handler.execute(batch, None)
    dbsession.expire(store["milk"])
    assert store["milk"].on_hand == 8


def test_zero_the_rest_follows_a_typed_line(dbsession, files, store) -> None:
    set_on_hand(dbsession, store, butter="5", milk="3")
    batch = count(store, files, f"{UPC_BUTTER},3\n", mode="zero_rest", departments="1")
    assert by_upc(dbsession, batch)[M].status == "not_counted"
    add_typed_line(batch, UPC_MILK, "3")
    assert by_upc(dbsession, batch)[M].status == "unchanged"
    delete_typed_line(batch, 1)
    assert by_upc(dbsession, batch)[M].status == "not_counted"


def test_thresholds_flag_rows_for_recount(dbsession, files, store) -> None:
    set_on_hand(dbsession, store, butter="100", soap="10", milk="10")
    batch = count(
        store,
        files,
        f"{UPC_BUTTER},95\n{UPC_SOAP},4\n{UPC_MILK},11\n",
        threshold_units="5",
        threshold_percent="50",
        threshold_money="10",
        departments=[1],
    )
    found = by_upc(dbsession, batch)
    assert not found[B].flagged  # 5 units, 5%, 10.00: none past
    assert found[S].flagged
    assert "more than 5 units" in found[S].message
    assert "more than 50%" in found[S].message
    assert "Not in the departments being counted" in found[S].message
    assert not found[M].flagged


@pytest.mark.parametrize(
    ("options", "refusal"),
    [
        ({"mode": "count"}, "Mode"),
        ({"departments": [99]}, "no department 99"),
        ({"departments": ["x"]}, "not a department number"),
        ({"threshold_units": "-1"}, "from 0 up"),
        ({"threshold_money": "lots"}, "not a number"),
    ],
)
def test_options_are_checked(dbsession, files, store, options, refusal) -> None:
    with pytest.raises(BatchError, match=refusal):
        make_count(store["data_set"], files, {"mode": "replace", **options}, None)
