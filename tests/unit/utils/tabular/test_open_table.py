"""Choosing the reader by content: `sniff_format` and `open_table`."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from poser.utils.tabular import CATALOG_COLUMNS, TabularError, open_table, sniff_format
from poser.utils.tabular.sniff import OLE_MAGIC
from tests.unit.utils.tabular.builders import OneWayStream, make_xlsx

PRICES = [["UPC", "Unit Cost"], ["9", 9.99]]


def a_zip(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "UPC\n1\n")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (make_xlsx({"S": PRICES})[: 64 * 1024], "xlsx"),
        (make_xlsx({"S": PRICES})[:200], "xlsx"),  # [Content_Types].xml comes first
        (b"UPC,Description\r\n1,a\r\n", "csv"),
        ("UPC;Beschreibung\r\n1;Käse\r\n".encode("cp1252"), "csv"),
        (a_zip("catalog.csv"), None),  # a zip, but no Office package in sight
        (OLE_MAGIC + b"\0" * 100, None),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", None),
        (b"", None),
    ],
)
def test_sniff_format(head: bytes, expected: str | None) -> None:
    assert sniff_format(head) == expected


def test_content_decides_not_the_name(tmp_path: Path) -> None:
    workbook = tmp_path / "catalog.csv"
    workbook.write_bytes(make_xlsx({"S": PRICES}))
    with open_table(workbook, columns=CATALOG_COLUMNS) as table:
        assert table.format == "xlsx"
        assert [r.values for r in table] == [{"upc": "9", "unit_cost": 9.99}]
    text = tmp_path / "catalog.xlsx"
    text.write_bytes(b"UPC,Unit Cost\n9,9.99\n")
    with open_table(text, columns=CATALOG_COLUMNS) as table:
        assert table.format == "csv"
        assert [r.values for r in table] == [{"upc": "9", "unit_cost": "9.99"}]


def test_the_same_table_api_for_both_formats() -> None:
    csv_data = b"Barcode,Cost\n9,9.99\n"
    xlsx_data = make_xlsx({"S": [["Barcode", "Cost"], ["9", "9.99"]]})
    results = []
    for data in (csv_data, xlsx_data):
        with open_table(io.BytesIO(data), columns=CATALOG_COLUMNS) as table:
            results.append((table.headers, [(r.line, r.values) for r in table]))
    assert (
        results[0]
        == results[1]
        == (
            ("upc", "unit_cost"),
            [(2, {"upc": "9", "unit_cost": "9.99"})],
        )
    )


def test_streams_that_cannot_seek() -> None:
    for data in (b"UPC\n1\n", make_xlsx({"S": [["UPC"], ["1"]]})):
        with open_table(OneWayStream(data)) as table:  # type: ignore[arg-type]
            assert [r.values for r in table] == [{"upc": "1"}]


def test_a_named_sheet() -> None:
    data = make_xlsx({"First": [["UPC"], ["1"]], "Second": [["UPC"], ["2"]]})
    with open_table(io.BytesIO(data), sheet="Second") as table:
        assert [r.values["upc"] for r in table] == ["2"]


def test_an_old_xls_workbook() -> None:
    with pytest.raises(TabularError, match=r"old Excel workbook \(.xls\).*save it as .xlsx or CSV"):
        open_table(io.BytesIO(OLE_MAGIC + b"\0" * 600), filename="catalog.xls")


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body><table><tr><td>UPC</td></tr></table></body></html>",
        b'\xef\xbb\xbf\r\n<?xml version="1.0"?>\r\n<Workbook xmlns="urn:schemas-microsoft-com:'
        b'office:spreadsheet"></Workbook>',
    ],
)
def test_html_or_xml_exported_as_a_spreadsheet(data: bytes) -> None:
    with pytest.raises(TabularError, match="web page or XML document, not a table file"):
        open_table(io.BytesIO(data), filename="export.xls")


def test_a_caller_stream_of_a_workbook_is_left_open() -> None:
    stream = io.BytesIO(make_xlsx({"S": PRICES}))
    with open_table(stream) as table:
        list(table)
    assert not stream.closed


def test_a_zip_that_is_not_a_workbook() -> None:
    with pytest.raises(TabularError, match="a zip archive but not an Excel workbook"):
        open_table(io.BytesIO(a_zip("catalog.csv")))


def test_the_file_is_empty() -> None:
    with pytest.raises(TabularError, match=r"^the file is empty$"):
        open_table(io.BytesIO(b""))


def test_an_error_while_opening_closes_what_was_opened(tmp_path: Path) -> None:
    # A leaked file handle would fail the run with a ResourceWarning.
    path = tmp_path / "catalog.csv"
    path.write_bytes(b"Description\napples\n")
    with pytest.raises(TabularError, match="missing required column: UPC"):
        open_table(path, columns=CATALOG_COLUMNS)
    stream = io.BytesIO(b"Description\napples\n")
    with pytest.raises(TabularError):
        open_table(stream, columns=CATALOG_COLUMNS)
    assert not stream.closed  # the caller's stream stays the caller's
