"""Scanner files as shops' handhelds and spreadsheets write them (tests/corpus/inventory),
through the count's reader: each is read line by line as written, or its lines at fault
say why, or it is refused whole with one sentence that names it. No file crashes.

``CASES`` is the corpus's table, one row per file: the command line's test
(tests/unit/entry_points/test_cli_inventory_corpus.py) runs the same files through
``poser inventory import`` and holds it to the same rows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from poser.tasks.batches import BatchError
from poser.tasks.batches.inventory.reader import NUL_MESSAGE, read_count_file

CORPUS = Path(__file__).resolve().parents[4] / "corpus" / "inventory"
B, S, M, W = "036000291452", "012345678905", "042100005264", "096619756803"  # W: by weight
UNKNOWN = "070038000563"
NOT_TEXT = "export the count from the scanner as CSV or text."
MISSING_CHECK_DIGIT = (
    "UPC 03600029145: it has 11 digits, so its check digit is missing (a UPC has 12: with it, "
    "036000291452)"
)
NOT_CSV = "This file is not a CSV file (its content was checked, not its name)."
SCIENTIFIC = (
    "a spreadsheet wrote it in scientific notation, which drops its last digits; format the "
    "UPC column as text and export the file again"
)
TOO_MANY = (
    "is more than 100,000 on one line, which cannot be a count (a UPC in the quantity column?)"
)
LONG_SECTION = "the section is 70,000 characters long, more than 50: is the line whole?"
CATALOG_STEP = "Is it a vendor catalog? Upload that on the Catalog's Upload step."


@dataclass(frozen=True)
class Case:
    """A corpus file and what becomes of it. ``lines``: the reader's records by line,
    (UPC, quantity, section, message), the UPC as the scanner wrote it (None when it is
    not one); ``refused``: the reader's refusal of the whole file (and the command's,
    unless the upload's check refuses it first: ``upload_refused``). Through the command
    line (``--execute``): ``errors``, every row in error by line (the reader's and the
    catalog's), stop the apply; without any, ``on_hand`` is what the count sets."""

    name: str
    lines: dict[int, tuple[str | None, str | None, str, str]] = field(default_factory=dict)
    refused: str = ""
    upload_refused: str = ""
    errors: dict[int, str] = field(default_factory=dict)
    on_hand: dict[str, str] = field(default_factory=dict)


def ok(upc: str, quantity: str, section: str = "") -> tuple[str, str, str, str]:
    return upc, quantity, section, ""


def bad(upc: str | None, quantity: str | None, message: str, section: str = "") -> tuple:
    return upc, quantity, section, message


CASES = [
    Case("utf8_bom.csv", {2: ok(B, "4"), 3: ok(S, "3")}, on_hand={"butter": "4", "soap": "3"}),
    Case(
        "utf16_bom_tabs.txt", {2: ok(B, "4"), 3: ok(M, "2")}, on_hand={"butter": "4", "milk": "2"}
    ),
    Case(
        "utf16_no_bom.csv",
        refused="utf16_no_bom.csv is not a text file: it looks like UTF-16 text without the "
        'byte order mark that would say so; save it again as "CSV UTF-8".',
        upload_refused=f"utf16_no_bom.csv: {NOT_CSV}",
    ),
    Case(
        "cp1252_sections.csv",
        {2: ok(B, "4", "K\u00fchlregal"), 3: ok(S, "3", "\u20ac-Aktion")},
        on_hand={"butter": "4", "soap": "3"},
    ),
    Case(
        "crlf_no_header.csv", {1: ok(B, "4"), 2: ok(S, "3")}, on_hand={"butter": "4", "soap": "3"}
    ),
    Case("lone_cr.csv", {2: ok(B, "4"), 3: ok(S, "3")}, on_hand={"butter": "4", "soap": "3"}),
    Case(
        "tab_barcode_quantity.txt",
        {2: ok(B, "4"), 3: ok(M, "2")},
        on_hand={"butter": "4", "milk": "2"},
    ),
    Case(
        "semicolon_decimal_comma.csv",  # "1,5" and "0,250" of a product sold by weight
        {
            2: ok(W, "1.5", "K\u00e4se"),
            3: ok(B, "4", "K\u00fchlung"),
            4: ok(W, "0.25", "K\u00e4se"),
        },
        on_hand={"butter": "4", "other": "1.75"},
    ),
    Case(
        "quoted_fields.csv",
        {2: ok(B, "4", "Aisle, 3"), 3: ok(S, "3", "Aisle 7")},
        on_hand={"butter": "4", "soap": "3"},
    ),
    Case(
        "trailing_delimiters.csv",
        {1: ok(B, "4"), 2: ok(S, "3")},
        on_hand={"butter": "4", "soap": "3"},
    ),
    Case("blank_lines.csv", {6: ok(B, "4"), 8: ok(S, "3")}, on_hand={"butter": "4", "soap": "3"}),
    Case(
        "header_item_count.csv",
        refused="header_item_count.csv has a header row (Item, Count) without a UPC column: name "
        "it UPC or Barcode, or leave the header out (UPC first, then the quantity).",
    ),
    Case(
        "header_unknown_quantity.csv",
        refused="header_unknown_quantity.csv has a header row (Barcode, Menge) without a "
        "quantity column: name it Qty, Quantity or Count (Cases for cases), or leave the header "
        "out (UPC first, then the quantity).",
    ),
    Case("header_only.csv", refused="header_only.csv has a header row but no lines under it."),
    Case(
        "empty.csv",
        refused="empty.csv is empty: there is nothing to count.",
        upload_refused="empty.csv: The file is empty.",
    ),
    Case("whitespace_only.csv", refused="whitespace_only.csv is empty: there is nothing to count."),
    Case(
        "excel_scientific.csv",
        {
            2: bad(None, "4", f"UPC 3.60003E+10: {SCIENTIFIC}"),
            3: bad(None, "2", f"UPC 1.23457E+11: {SCIENTIFIC}"),
            4: ok(S, "3"),
        },
        errors={
            2: f"UPC 3.60003E+10: {SCIENTIFIC}",
            3: f"UPC 1.23457E+11: {SCIENTIFIC}",
        },
    ),
    Case(
        "leading_zeros_lost.csv",
        {2: ok(B, "4"), 3: ok(S, "3")},
        on_hand={"butter": "4", "soap": "3"},
    ),
    Case(
        "upc_without_check_digit.csv",
        {2: bad(None, "4", MISSING_CHECK_DIGIT), 3: ok(S, "3")},
        errors={2: MISSING_CHECK_DIGIT},
    ),
    Case(
        "scans_one_per_line.txt",  # one line per scan, each counting one
        {1: ok(B, "1"), 2: ok(B, "1"), 3: ok(B, "1"), 4: ok(S, "1")},
        on_hand={"butter": "3", "soap": "1"},
    ),
    Case(
        "space_separated.txt", {1: ok(B, "4"), 2: ok(S, "3")}, on_hand={"butter": "4", "soap": "3"}
    ),
    Case(
        "mixed_shapes.csv",  # "UPC,qty", "UPC qty", "UPC" alone and "UPC<tab>qty" in one file
        {1: ok(B, "4"), 2: ok(S, "3"), 3: ok(M, "1"), 4: ok(M, "1"), 5: ok(W, "1.25")},
        on_hand={"butter": "4", "soap": "3", "milk": "2", "other": "1.25"},
    ),
    Case(
        "negative.csv",
        {2: bad(B, None, "quantity -3 is negative: a count is zero or more"), 3: ok(S, "4")},
        errors={2: "quantity -3 is negative: a count is zero or more"},
    ),
    Case(
        "fraction_of_unit_product.csv",  # butter is sold by the unit: the catalog says so
        {2: ok(B, "2.5"), 3: ok(S, "4")},
        errors={
            2: f"UPC {B} is sold by the unit, so it is counted in whole units (a fraction is "
            "counted only for a product whose size says lb or kg)"
        },
    ),
    Case(
        "absurd_quantities.csv",
        {
            2: bad(B, None, f"quantity 250000 {TOO_MANY}"),
            3: bad(M, None, f"quantity {B} {TOO_MANY}"),
            4: ok(S, "4"),
        },
        errors={2: f"quantity 250000 {TOO_MANY}", 3: f"quantity {B} {TOO_MANY}"},
    ),
    Case(
        "not_numbers.csv",
        {
            2: bad(B, None, "quantity 'NaN' is not a number"),
            3: bad(M, None, "quantity 'inf' is not a number"),
            4: bad(W, None, "quantity '1e308' is not a number"),
            5: bad(S, None, "quantity 'twelve' is not a number"),
            6: ok(S, "3"),
        },
        errors={
            2: "quantity 'NaN' is not a number",
            3: "quantity 'inf' is not a number",
            4: "quantity '1e308' is not a number",
            5: "quantity 'twelve' is not a number",
        },
    ),
    Case(
        "unknown_upc.csv",
        {2: ok(UNKNOWN, "5"), 3: ok(S, "3")},
        errors={2: f"UPC {UNKNOWN} is not in the catalog"},
    ),
    Case(
        "nul_bytes.csv",  # one damaged line: that line is in error, not the file
        {2: ok(B, "4"), 3: bad(M, "2", NUL_MESSAGE), 4: ok(S, "3")},
        errors={3: NUL_MESSAGE},
    ),
    Case(
        "png_image.csv",
        refused=f"png_image.csv is not a text file but a PNG image: {NOT_TEXT}",
        upload_refused="png_image.csv: This file is a PNG image, not a CSV file (its content "
        "was checked, not its name).",
    ),
    Case(
        "count.xlsx",
        refused="count.xlsx is not a text file but a spreadsheet (an Excel workbook) or another "
        f"zip archive: {NOT_TEXT}",
        upload_refused="count.xlsx: This file is an Excel (.xlsx) workbook, not a CSV file (its "
        "content was checked, not its name): save it as a CSV file and upload that.",
    ),
    Case(
        "vendor_catalog.csv",
        refused="vendor_catalog.csv looks like a vendor catalog, not a count (it has the columns "
        "Vendor Item #, Description, Brand, Pack, Case Cost): upload it on the Catalog's Upload "
        "step.",
    ),
    Case(
        "price_list_no_header.csv",
        refused="price_list_no_header.csv has 5 columns: a count has a UPC, a quantity and "
        f"perhaps a section. {CATALOG_STEP}",
    ),
    Case(
        "long_line.csv",  # a section of 70,000 characters, across two of the blocks read
        {
            2: ok(B, "4", "A1"),
            3: bad(M, "2", LONG_SECTION, "x" * 50),  # kept to its first 50 characters
            4: ok(S, "3", "B2"),
        },
        errors={3: LONG_SECTION},
    ),
]


def test_every_corpus_file_has_its_row() -> None:
    assert sorted(case.name for case in CASES) == sorted(p.name for p in CORPUS.iterdir())
    assert len(CASES) >= 25


def _read(name: str) -> dict[int, tuple[str | None, str | None, str, str]]:
    stream = io.BytesIO((CORPUS / name).read_bytes())
    records = [r for chunk in read_count_file(stream, name, "units", 1, 1) for r in chunk]
    return {
        r["line"]: (
            r["upc"].lstrip("0").zfill(12) if r["upc"] else None,
            r["quantity"],
            r["section"],
            r["message"],
        )
        for r in records
    }


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_reader_reads_each_file_or_says_why_not(case: Case) -> None:
    if case.refused:
        with pytest.raises(BatchError) as refused:
            _read(case.name)
        assert str(refused.value) == case.refused
        assert case.name in str(refused.value)
        return
    lines = _read(case.name)
    assert lines == case.lines
    assert {line for line, read in lines.items() if read[3]} <= set(case.errors)
