"""A catalog batch made from an upload: options checked before the file is kept, the
file's digest kept (the same file again is recognised), the vendor's column mapping
used and remembered, and a mapping chosen from Poser's columns read again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from poser.tasks.batches import BatchError, get_handler
from poser.tasks.batches.catalog.columns import check_mapping, file_headers, read_again_with
from poser.tasks.batches.catalog.upload import (
    catalog_parameters,
    make_catalog_batch,
    same_file_message,
)
from poser.tasks.batches.requests import shown_fields
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_SOAP, upload_text
from tests.jobs_support import RecordingQueue

GOOD = HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n{UPC_SOAP},A-200,Soap,,,6,6.00\n"
#: A vendor whose headers Poser does not know.
OWN_HEADERS = f"Barcode No,Our Pack,Net\n{UPC_BUTTER},12,26.40\n{UPC_SOAP},6,6.00\n"
handler = get_handler("catalog")


def test_the_options_of_a_form_and_of_the_command_line_are_the_same_parameters(store) -> None:
    data_set = store["data_set"]
    from_form = catalog_parameters(
        data_set,
        vendor_code="ACME",
        tolerance=Decimal("12.5"),
        new_items="add",
        effective_date=date(2030, 1, 31),
    )
    from_command = catalog_parameters(
        data_set, vendor_code="acme", tolerance="12.5", new_items="add", effective_date="2030-01-31"
    )
    assert (
        from_form
        == from_command
        == {
            "vendor_id": store["acme"].id,
            "vendor_code": "ACME",
            "tolerance_percent": "12.5",
            "new_items": "add",
            "effective_date": "2030-01-31",
            "mapping": {},
        }
    )
    for options, message in (
        ({"vendor_code": ""}, "Choose the vendor"),
        ({"vendor_code": "ZED"}, r"no vendor 'ZED' in data set .*\(vendors: ACME, BETA\)"),
        ({"vendor_code": "ACME", "tolerance": "lots"}, "not a percent"),
        ({"vendor_code": "ACME", "effective_date": "soon"}, "not a date"),
        ({"vendor_code": "ACME", "new_items": "all"}, "New items"),
    ):
        with pytest.raises(BatchError, match=message):
            catalog_parameters(data_set, **options)


def test_the_same_file_uploaded_again_is_recognised(dbsession, files, store) -> None:
    data_set = store["data_set"]
    parameters = catalog_parameters(data_set, vendor_code="ACME")
    first = make_catalog_batch(
        data_set, files, upload_text(data_set, files, GOOD), parameters, None
    )
    assert first.same_file_as is None
    assert same_file_message(first) is None
    other = upload_text(data_set, files, GOOD + f"{UPC_SOAP},A-200,Soap,,,6,7.00\n")
    assert make_catalog_batch(data_set, files, other, parameters, None).same_file_as is None
    queue = RecordingQueue()
    again = make_catalog_batch(
        data_set, files, upload_text(data_set, files, GOOD, "again.csv"), parameters, None, queue
    )
    assert again.same_file_as is first.batch
    assert again.batch.parameters["sha256"] == first.batch.parameters["sha256"]
    assert f"the same as the file of batch #{first.batch.id} (catalog.csv" in (
        same_file_message(again) or ""
    )
    assert len(queue.enqueued) == 0  # queued once the transaction commits
    # A deleted batch is no longer what the file is the same as.
    handler.delete(first.batch)
    third = make_catalog_batch(
        data_set, files, upload_text(data_set, files, GOOD), parameters, None
    )
    assert third.same_file_as is again.batch


def test_columns_chosen_from_a_list_read_the_file_and_are_remembered(
    dbsession, files, store
) -> None:
    data_set = store["data_set"]
    parameters = catalog_parameters(data_set, vendor_code="ACME")
    upload = upload_text(data_set, files, OWN_HEADERS)
    batch = make_catalog_batch(data_set, files, upload, parameters, None).batch
    with pytest.raises(BatchError, match="UPC"):
        handler.populate(batch, files)
    handler.populate_failed(batch, "no UPC")
    dbsession.flush()
    assert file_headers(batch, files) == [("Barcode No", None), ("Our Pack", None), ("Net", None)]
    for chosen, message in (
        ({"Barcode No": None, "Our Pack": "case_size", "Net": "case_cost"}, "holds the UPC"),
        ({"Barcode No": "upc", "Our Pack": "case_size", "Net": None}, "case cost or the unit"),
        ({"Barcode No": "upc", "Our Pack": "upc", "Net": "case_cost"}, "both read as UPC"),
        ({"Barcode No": "upc", "Our Pack": "pack_size", "Net": "case_cost"}, "from the list"),
    ):
        with pytest.raises(BatchError, match=message):
            check_mapping(chosen)
    chosen = {"Barcode No": "upc", "Our Pack": "case_size", "Net": "case_cost"}
    queue = RecordingQueue()
    version = batch.version
    read_again_with(data_set, shown_fields(batch), chosen, queue, None)
    dbsession.flush()
    assert batch.status == "new"
    assert batch.version > version
    assert batch.parameters["mapping"] == chosen
    assert batch.parameters["sha256"]
    assert store["acme"].column_mapping == chosen
    assert file_headers(batch, files) == [
        ("Barcode No", "upc"),
        ("Our Pack", "case_size"),
        ("Net", "case_cost"),
    ]
    assert handler.populate(batch, files) == {"cost_up": 1, "cost_down": 1}
    # The vendor's next file is read with its columns, unless others are given.
    assert catalog_parameters(data_set, vendor_code="ACME")["mapping"] == chosen
    assert catalog_parameters(data_set, vendor_code="BETA")["mapping"] == {}
    # A form that showed an older version, or an applied batch, is refused.
    with pytest.raises(BatchError, match="changed since"):
        read_again_with(
            data_set, {**shown_fields(batch), "batch_version": "1"}, chosen, queue, None
        )
    handler.execute(batch, None)
    dbsession.flush()
    with pytest.raises(BatchError, match="was applied"):
        read_again_with(data_set, shown_fields(batch), chosen, queue, None)
