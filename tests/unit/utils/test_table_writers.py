"""CSV and .xlsx writers: formula injection, encoding, quoting, types, streaming."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import IntEnum
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from poser.utils import table_writers
from poser.utils.table_writers import (
    BOM,
    CsvWriter,
    TooManyRowsError,
    XlsxSheet,
    csv_cell,
    csv_rows,
    neutralize,
    write_xlsx,
)


def read_csv(chunks: Any) -> list[list[str]]:
    data = b"".join(chunks)
    assert data.startswith(BOM.encode("utf-8"))
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+2", "'=1+2"),
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("-", "'-"),
        ("--", "'--"),
        # Text that is exactly a number cannot run anything: left as the number it is.
        ("-5", "-5"),
        ("+1.25", "+1.25"),
        ("-.5", "-.5"),
        ("-1e3", "-1e3"),
        ("-٣", "'-٣"),  # not an ASCII number: no exemption
        # Only the start matters.
        ("a=b", "a=b"),
        ("Milk 2%", "Milk 2%"),
        (" =1", " =1"),
        ("", ""),
    ],
)
def test_formula_text_is_neutralized(text: str, expected: str) -> None:
    assert neutralize(text) == expected


def test_numbers_are_never_neutralized() -> None:
    assert csv_cell(-5) == "-5"
    assert csv_cell(Decimal("-1.50")) == "-1.50"
    assert csv_cell(Decimal("1E+3")) == "1000"  # never scientific
    assert csv_cell(-0.25) == "-0.25"
    assert csv_cell(True) == "Yes"
    assert csv_cell(False) == "No"
    assert csv_cell(None) == ""
    assert csv_cell(date(2024, 2, 29)) == "2024-02-29"
    assert csv_cell(datetime(2024, 2, 29, 13, 5, tzinfo=UTC)) == "2024-02-29 13:05:00+00:00"


def test_csv_has_a_bom_crlf_and_quotes_what_needs_it() -> None:
    rows = [
        ["plain", 1],
        ['say "hi"', Decimal("2.50")],
        ["a,b", -3],
        ["two\nlines", None],
        ["=cmd|' /C calc'!A0", Decimal("-4")],
        ["Crème brûlée ☕", 0],
    ]
    data = b"".join(csv_rows(["Name", "Value"], rows))
    assert data.startswith(b"\xef\xbb\xbfName,Value\r\n")
    assert b'"say ""hi""",2.50\r\n' in data
    assert b'"a,b",-3\r\n' in data
    assert read_csv([data]) == [
        ["Name", "Value"],
        ["plain", "1"],
        ['say "hi"', "2.50"],
        ["a,b", "-3"],
        ["two\nlines", ""],
        ["'=cmd|' /C calc'!A0", "-4"],
        ["Crème brûlée ☕", "0"],
    ]


def test_a_header_is_neutralized_too() -> None:
    assert read_csv(csv_rows(["=evil()", "ok"], []))[0] == ["'=evil()", "ok"]


def test_csv_is_streamed_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_writers, "CSV_CHUNK_BYTES", 100)
    consumed = []

    def rows() -> Any:
        for n in range(100):
            consumed.append(n)
            yield [f"row {n}", n]

    chunks = csv_rows(["Name", "N"], rows())
    first = next(chunks)
    assert len(consumed) < 20, "the first chunk goes out before every row is read"
    rest = list(chunks)
    assert len(rest) > 5
    parsed = read_csv([first, *rest])
    assert len(parsed) == 101
    assert parsed[-1] == ["row 99", "99"]


def test_xlsx_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    rows = [
        ["=1+2", Decimal("-2.50"), 3, True, date(2024, 1, 31), None],
        ["http://example.com", Decimal("0.10"), -4, False, datetime(2024, 1, 1, 12, 30), "00123"],
    ]
    written = write_xlsx(str(path), ["Name", "Price", "Qty", "Active", "Added", "Code"], rows)
    assert written == 2
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        values = [list(row) for row in book.active.iter_rows(values_only=True)]
    finally:
        book.close()
    assert values[0] == ["Name", "Price", "Qty", "Active", "Added", "Code"]
    # A formula-looking string is a string cell: never evaluated, no quote needed.
    assert values[1] == ["=1+2", -2.5, 3, True, datetime(2024, 1, 31), None]
    assert values[2] == [
        "http://example.com",
        0.1,
        -4,
        False,
        datetime(2024, 1, 1, 12, 30),
        "00123",
    ]


def test_xlsx_to_a_file_object() -> None:
    buffer = io.BytesIO()
    write_xlsx(buffer, ["A"], ([n] for n in range(3)))
    buffer.seek(0)
    book = openpyxl.load_workbook(buffer, read_only=True)
    try:
        assert [row[0] for row in book.active.iter_rows(values_only=True)] == ["A", 0, 1, 2]
    finally:
        book.close()


def test_xlsx_refuses_more_rows_than_a_sheet_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table_writers, "XLSX_MAX_ROWS", 4)
    write_xlsx(str(tmp_path / "ok.xlsx"), ["A"], [[1], [2], [3]])
    with pytest.raises(TooManyRowsError):
        write_xlsx(str(tmp_path / "big.xlsx"), ["A"], [[1], [2], [3], [4]])


class Code(str):
    """A str subclass: it takes the chain of checks, not the look-up by type."""


class Level(IntEnum):
    LOW = 2


def test_values_of_a_subclass_are_written_as_their_base_type(tmp_path: Path) -> None:
    row = [Code("=evil()"), Level.LOW, True, "", Decimal("1E+2"), 0.5, None]
    assert read_csv(csv_rows(["A"] * 7, [row]))[1] == ["'=evil()", "2", "Yes", "", "100", "0.5", ""]
    assert [csv_cell(value) for value in row] == ["'=evil()", "2", "Yes", "", "100", "0.5", ""]
    path = tmp_path / "rows.xlsx"
    write_xlsx(str(path), ["A"] * 7, [row])
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        (values,) = book.active.iter_rows(min_row=2, values_only=True)
    finally:
        book.close()
    # An empty text is no cell, as a missing value is.
    assert list(values) == ["=evil()", 2, True, None, 100, 0.5, None]


def test_row_by_row_writers_write_what_the_streaming_ones_do(tmp_path: Path) -> None:
    rows = [
        [f"row {n}", Decimal(n) / 4, n, n % 2 == 0, date(2026, 1, 1 + n % 28)] for n in range(300)
    ]
    header = ["Name", "Quarter", "N", "Even", "Day"]
    chunks: list[bytes] = []
    writer = CsvWriter(chunks.append, header)
    for row in rows:
        writer.write_row(row)
    writer.flush()
    assert b"".join(chunks) == b"".join(csv_rows(header, rows))
    sheet = XlsxSheet(str(tmp_path / "pushed.xlsx"), header, "Sheet")
    for row in rows:
        sheet.write_row(row)
    sheet.close()
    assert sheet.count == write_xlsx(str(tmp_path / "pulled.xlsx"), header, rows, "Sheet") == 300
    read = []
    for name in ("pushed", "pulled"):
        book = openpyxl.load_workbook(tmp_path / f"{name}.xlsx", read_only=True)
        try:
            read.append([list(r) for r in book.active.iter_rows(values_only=True)])
        finally:
            book.close()
    assert read[0] == read[1]
    assert read[0][2] == ["row 1", 0.25, 1, False, datetime(2026, 1, 2)]


def test_the_numbered_writers_write_what_the_public_ones_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [["a & <b>", Decimal("1.25"), 3, 0.5, "", None, True, date(2026, 3, 1)]] * 3
    sheets = []
    for name in ("numbered", "public"):
        if name == "public":
            monkeypatch.setattr(
                table_writers, "_numbered", lambda sheet, name: getattr(sheet, name)
            )
        write_xlsx(str(tmp_path / f"{name}.xlsx"), ["A"] * 8, rows)
        with zipfile.ZipFile(tmp_path / f"{name}.xlsx") as archive:
            sheets.append(archive.read("xl/worksheets/sheet1.xml"))
    assert sheets[0] == sheets[1]
    assert b"a &amp; &lt;b&gt;" in sheets[0]
