"""Bad vendor files through the catalog handler: each gets a message an operator can act
on (per row when a row is at fault), none crashes, and the catalog is never touched.

Small files are in tests/corpus/catalog; big and binary ones are built here. A file the
upload refuses is also handed to populate directly: a file can reach a batch by other
ways than the web form (the command line, a later import), and must fail as clearly.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import Batch, CatalogBatchRow, Product, ProductCost
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.uploads import UploadError, store_upload
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_SOAP
from tests.unit.utils.tabular.builders import CORPUS, make_xlsx, repeat, rewrite_zip

handler = get_handler("catalog")
MB = 1024 * 1024
LIMIT = 10_000_000
NOT_CSV_OR_XLSX = "This file is not a CSV file or an Excel (.xlsx) workbook"


def _catalog(dbsession: Session) -> list[list[tuple[Any, ...]]]:
    products = dbsession.execute(select(Product.id, Product.upc, Product.description))
    costs = dbsession.execute(
        select(
            ProductCost.product_id,
            ProductCost.vendor_id,
            ProductCost.vendor_item_code,
            ProductCost.case_size,
            ProductCost.case_cost,
            ProductCost.unit_cost,
        )
    )
    return [sorted(tuple(row) for row in products), sorted(tuple(row) for row in costs)]


def _batch(store: dict[str, Any], files: Any, data: bytes, name: str) -> Batch:
    """A batch whose input is `data`, placed without the upload's checks."""
    batch = handler.make(store["data_set"], files, parameters={"vendor_id": store["acme"].id})
    batch.input_key = f"{handler.folder(batch)}/{name}"
    batch.input_filename = name
    files.write(batch.input_key, data)
    return batch


def _populate(dbsession: Session, batch: Batch, files: Any) -> dict[int, CatalogBatchRow]:
    # In a savepoint, as the populate job runs in a transaction that a failure rolls back.
    with dbsession.begin_nested():
        handler.populate(batch, files)
    rows = dbsession.scalars(select(CatalogBatchRow).where(CatalogBatchRow.batch_id == batch.id))
    return {row.line: row for row in rows}


def _upload_then_populate(
    dbsession: Session, store: dict[str, Any], files: Any, data: bytes, name: str
) -> dict[int, CatalogBatchRow]:
    upload = store_upload(store["data_set"], files, io.BytesIO(data), name, None, LIMIT)
    batch = handler.make(
        store["data_set"], files, upload=upload, parameters={"vendor_id": store["acme"].id}
    )
    return _populate(dbsession, batch, files)


def _zip_bomb() -> bytes:
    # 20 MB of one tag deflates about a thousand to one: a real sheet never does.
    return rewrite_zip(
        make_xlsx({"S": [["UPC", "Case Cost"], [UPC_BUTTER, 24]]}),
        {"xl/worksheets/sheet1.xml": repeat(b"<row/>", 20 * MB)},
    )


def _enormous_shared_strings() -> bytes:
    start = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
    start += b'spreadsheetml/2006/main">'
    return rewrite_zip(
        make_xlsx({"S": [["UPC", "Description"], [UPC_BUTTER, "apples"]]}),
        {"xl/sharedStrings.xml": [start, *repeat(b"<si><t>apples</t></si>", 60 * MB)]},
    )


# (name as uploaded, content, the upload's refusal or None, populate's refusal)
REFUSED_FILES = [
    (
        "no_cost_column.csv",
        "no_cost_column.csv",
        None,
        "no_cost_column.csv has no cost column: it needs a case cost (e.g. 'Case Cost') or a "
        "unit cost (e.g. 'Unit Cost'), or a column mapping on the Options step.",
    ),
    ("empty.csv", "empty.csv", "The file is empty.", "empty.csv: the file is empty"),
    ("blank_lines.csv", "blank_lines.csv", None, "blank_lines.csv: the file is empty"),
    (
        "header_only.csv",
        "header_only.csv",
        None,
        "header_only.csv has a header row but no rows under it.",
    ),
    (
        "missing_columns.csv",
        "missing_columns.csv",
        None,
        "missing_columns.csv: missing required column: UPC (headers accepted: UPC, Item UPC, "
        "UPC Code, Barcode, GTIN, EAN). Headers found: 'Item Description', 'Brand', 'Pack'",
    ),
    (
        "utf16_no_bom.csv",
        "utf16_no_bom.csv",
        NOT_CSV_OR_XLSX,
        "utf16_no_bom.csv: this file is not text: it looks like UTF-16 text without the "
        'byte order mark that would say so; save it again as "CSV UTF-8"',
    ),
    (
        "catalog.csv",  # random bytes named .csv
        "garbage.bin",
        NOT_CSV_OR_XLSX,
        "catalog.csv: this file is not text: 234 of its first 1024 characters are control "
        "characters. Upload the catalog as CSV (comma, semicolon, tab or pipe separated) or .xlsx",
    ),
    (
        "garbage.bin",
        "garbage.bin",
        NOT_CSV_OR_XLSX,
        "garbage.bin: this file is not text",
    ),
    (
        "not_really.xlsx",
        "not_really.xlsx",
        "This file is a PDF document, not a CSV file or an Excel (.xlsx) workbook",
        "not_really.xlsx: not_really.xlsx is named like an Excel workbook but is not one: "
        "it is not a zip archive (it may be damaged or truncated)",
    ),
    (
        "old_excel.xls",
        "old_excel.xls",
        "This file is an old Excel workbook (.xls) or another Office file, not a CSV file or "
        "an Excel (.xlsx) workbook (its content was checked, not its name): save it as a CSV "
        "file or an Excel (.xlsx) workbook and upload that.",
        "old_excel.xls: this is an old Excel workbook (.xls) or another Office file; "
        "save it as .xlsx or CSV and upload that",
    ),
    (
        "web_page.xls",
        "web_page.xls",
        None,
        "web_page.xls: this file is a web page or XML document, not a table file; "
        "open it in Excel and save it as .xlsx or CSV",
    ),
    (
        "unterminated_quote.csv",
        "unterminated_quote.csv",
        None,
        "unterminated_quote.csv: line 3: a quoted value starts on this line and is never "
        "closed, so the rest of the file would be read as one value; check its quotes",
    ),
    (
        "bomb.xlsx",
        _zip_bomb,
        "The part xl/worksheets/sheet1.xml of this workbook is compressed",
        "bomb.xlsx: the part xl/worksheets/sheet1.xml of this workbook is compressed",
    ),
    (
        "strings.xlsx",
        _enormous_shared_strings,
        "The text table of this workbook (xl/sharedStrings.xml) would expand to 60 MB",
        "strings.xlsx: the text table of this workbook (xl/sharedStrings.xml) would expand "
        "to 60 MB, more than the limit of 50 MB; save it as CSV instead",
    ),
]


@pytest.mark.parametrize(
    ("name", "source", "upload_message", "message"),
    REFUSED_FILES,
    ids=[case[0] if case[0] != "catalog.csv" else "random bytes.csv" for case in REFUSED_FILES],
)
def test_a_file_it_cannot_read_is_refused_whole(
    dbsession, files, store, name, source, upload_message, message
) -> None:
    data = (CORPUS / source).read_bytes() if isinstance(source, str) else source()
    before = _catalog(dbsession)
    if upload_message is not None:
        with pytest.raises(UploadError) as refused:
            store_upload(store["data_set"], files, io.BytesIO(data), name, None, LIMIT)
        assert upload_message in str(refused.value)
        assert refused.value.status == 400
        assert files.list(f"uploads/{store['data_set'].id}") == []
        batch = _batch(store, files, data, name)
    else:
        upload = store_upload(store["data_set"], files, io.BytesIO(data), name, None, LIMIT)
        batch = handler.make(
            store["data_set"], files, upload=upload, parameters={"vendor_id": store["acme"].id}
        )
    with pytest.raises(BatchError) as failed:
        _populate(dbsession, batch, files)
    assert message in str(failed.value)
    assert "Traceback" not in str(failed.value)
    rows = dbsession.scalars(select(CatalogBatchRow).where(CatalogBatchRow.batch_id == batch.id))
    assert rows.all() == []
    assert _catalog(dbsession) == before


def test_a_file_over_the_upload_limit_is_refused_with_413(dbsession, files, store) -> None:
    data = (HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,24.00\n" * 40_000).encode()
    before = _catalog(dbsession)
    with pytest.raises(UploadError, match=r"^The file is larger than the limit of 1 MB\.$") as e:
        store_upload(store["data_set"], files, io.BytesIO(data), "big.csv", None, 1_000_000)
    assert e.value.status == 413
    assert files.list(f"uploads/{store['data_set'].id}") == []
    assert _catalog(dbsession) == before


def test_bad_costs_and_codes_are_flagged_per_row(dbsession, files, store) -> None:
    before = _catalog(dbsession)
    data = (CORPUS / "bad_costs.csv").read_bytes()
    rows = _upload_then_populate(dbsession, store, files, data, "bad_costs.csv")
    assert {line: (row.status, row.message) for line, row in rows.items()} == {
        2: ("error", "Case cost: 'twelve dollars' is not a number"),
        3: ("error", "Case cost: -9.00 is negative"),
        4: ("error", "Case cost: 1200000.00 is more than 50000, which cannot be right"),
        5: ("error", "Case cost: 'N/A' is not a number"),
        6: ("error", "Case cost: a cost of zero"),
        7: ("error", "UPC 36000291453: the check digit is wrong"),
        8: ("new_item", ""),  # a store code (five digits) has no check digit
    }
    assert _catalog(dbsession) == before


def test_duplicate_upcs_are_all_flagged(dbsession, files, store) -> None:
    before = _catalog(dbsession)
    data = (CORPUS / "duplicate_upcs.csv").read_bytes()
    rows = _upload_then_populate(dbsession, store, files, data, "duplicate_upcs.csv")
    duplicate = "the UPC is on 3 lines of the file (first on line 2)"
    assert {line: (row.status, row.message) for line, row in rows.items()} == {
        2: ("error", duplicate),
        3: ("unchanged", ""),
        4: ("error", duplicate),
        5: ("error", duplicate),  # the same code, written as a GTIN-14
        6: ("unchanged", ""),
    }
    assert _catalog(dbsession) == before


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "shifted_columns.csv",
            {
                2: (
                    "error",
                    "this row has 4 values but the header has 3 columns (an unquoted separator "
                    "inside a value?); Unit cost: 'red' is not a number",
                ),
                3: ("new_item", ""),
            },
        ),
        # A Windows file: its euro sign is a currency, "€2.50" is 2.50.
        ("cp1252.csv", {2: ("new_item", ""), 3: ("new_item", "")}),
        # Text named .xlsx is read for what it is.
        ("csv_named.xlsx", {2: ("unchanged", "")}),
    ],
)
def test_rows_at_fault_say_why(dbsession, files, store, source, expected) -> None:
    before = _catalog(dbsession)
    rows = _upload_then_populate(dbsession, store, files, (CORPUS / source).read_bytes(), source)
    assert {line: (row.status, row.message) for line, row in rows.items()} == expected
    assert _catalog(dbsession) == before


def test_bad_cells_of_a_workbook_are_flagged_per_row(dbsession, files, store) -> None:
    before = _catalog(dbsession)
    data = make_xlsx(
        {
            "Catalog": [
                ["UPC", "Description", "Pack", "Case Cost"],
                [UPC_BUTTER, "Butter", 12, "#VALUE!"],
                [UPC_SOAP, "Soap", 6, -1.5],
                [int(UPC_BUTTER[:-1] + "3"), "Wrong check digit", 12, 24],
                ["", "No UPC", 1, 1],
            ]
        }
    )
    rows = _upload_then_populate(dbsession, store, files, data, "acme.xlsx")
    statuses = {line: row.status for line, row in rows.items()}
    assert statuses == {2: "error", 3: "error", 4: "error", 5: "error"}
    assert "Case cost: '#VALUE!' is not a number" in rows[2].message
    assert "negative" in rows[3].message
    assert "check digit is wrong" in rows[4].message
    assert rows[5].message.startswith("UPC:")
    assert _catalog(dbsession) == before
