"""Writers of tabular files (CSV and .xlsx) that operators download, both streaming.

Rows are sequences of plain values: str, int, float, Decimal, bool, date, datetime or
None. Neither writer holds more than a few rows in memory, so a million-row download
costs what one chunk does.

Text that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return: OWASP's "CSV injection") is written as text: in CSV
with a leading ``'``, which spreadsheets hide; in .xlsx as a string cell, which is never
evaluated. Numbers are never changed, negative ones included, and neither is text that
is exactly a plain number ("-5", "+1.25"): a spreadsheet reads it as that number, which
cannot run anything, and quoting it would change the value for whoever reads it back.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import xlsxwriter

BOM = "\ufeff"
#: Bytes gathered before a CSV chunk is yielded: large enough to keep the WSGI server's
#: per-chunk cost small, small enough to start the download at once.
CSV_CHUNK_BYTES = 64 * 1024
#: The most rows a worksheet holds (Excel's limit), the header row included.
XLSX_MAX_ROWS = 1_048_576
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)


class TooManyRowsError(ValueError):
    """More rows than an .xlsx worksheet holds."""


def neutralize(text: str) -> str:
    """``text`` as a spreadsheet shows it but never evaluates it."""
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_cell(value: Any) -> str:
    """The CSV text of one value: ISO dates, plain (never scientific) decimals, Yes and
    No (what people read, and what Poser's cells read back as yes/no)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return neutralize(str(value))


#: csv_cell of the common types, found by the value's exact type (a subclass, or a type
#: not listed, takes csv_cell's checks): one look-up instead of a chain of isinstance.
_CSV_BY_TYPE: dict[type, Callable[[Any], str]] = {
    str: neutralize,
    int: str,
    Decimal: lambda value: format(value, "f"),
    float: repr,
    type(None): lambda value: "",
}


def _csv_texts(row: Sequence[Any]) -> list[str]:
    find = _CSV_BY_TYPE.get
    return [find(type(value), csv_cell)(value) for value in row]


class CsvWriter:
    """A CSV file written row by row into ``write`` (a binary file's write), as
    `csv_rows` writes it, in chunks of about CSV_CHUNK_BYTES."""

    def __init__(self, write: Callable[[bytes], Any], header: Sequence[str]) -> None:
        self._write = write
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")
        self._buffer.write(BOM)
        self._writer.writerow([neutralize(str(name)) for name in header])

    def write_row(self, row: Sequence[Any]) -> None:
        self._writer.writerow(_csv_texts(row))
        if self._buffer.tell() >= CSV_CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        self._write(self._buffer.getvalue().encode("utf-8"))
        self._buffer.seek(0)
        self._buffer.truncate()


def csv_rows(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """A CSV file in chunks of bytes: UTF-8 with a BOM (so that Excel does not read it
    as the local code page), CRLF line ends and minimal quoting (RFC 4180)."""
    chunks: list[bytes] = []
    writer = CsvWriter(chunks.append, header)
    for row in rows:
        writer.write_row(row)
        if chunks:
            yield from chunks
            chunks.clear()
    writer.flush()
    yield from chunks


def write_xlsx(
    target: str | IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_name: str = "Rows",
) -> int:
    """Write an .xlsx workbook to a path or a binary file; returns the rows written.

    Raises TooManyRowsError past Excel's limit: a cut-off file would look complete to
    the operator.
    """
    sheet = XlsxSheet(target, header, sheet_name)
    try:
        for row in rows:
            sheet.write_row(row)
    finally:
        sheet.close()
    return sheet.count


class XlsxSheet:
    """An .xlsx workbook of one sheet written row by row, under a bold, frozen header.

    xlsxwriter's constant_memory mode flushes each row to a temporary file as soon as
    the next begins; ``close`` writes the workbook. ``write_row`` raises
    TooManyRowsError past Excel's limit.
    """

    def __init__(self, target: str | IO[bytes], header: Sequence[str], sheet_name: str = "Rows"):
        self.workbook = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": True,
                # Cells are typed here, never guessed from text: a string such as
                # "=HYPERLINK(...)" stays a string, "00123" keeps its zeros.
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self.count = 0
        try:
            sheet = self.sheet = self.workbook.add_worksheet(sheet_name[:31])
            bold = self.workbook.add_format({"bold": True})
            date_format = self.workbook.add_format({"num_format": "yyyy-mm-dd"})
            datetime_format = self.workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
            for column, name in enumerate(header):
                sheet.write_string(0, column, str(name), bold)
            sheet.freeze_panes(1, 0)
        except BaseException:
            self.workbook.close()
            raise
        number, string = _numbered(sheet, "write_number"), _numbered(sheet, "write_string")

        def write_other(row: int, column: int, value: Any) -> None:
            _write_cell(sheet, row, column, value, date_format, datetime_format)

        def write_number(row: int, column: int, value: float) -> None:
            number(row, column, value, None)

        def write_decimal(row: int, column: int, value: Decimal) -> None:
            # Excel keeps 15 significant digits; a money or quantity column fits.
            number(row, column, float(value), None)

        def write_string(row: int, column: int, value: str) -> None:
            if value:  # an empty cell is no cell
                string(row, column, value, None)

        # The writer of each common type, found by the value's exact type (a subclass, or a
        # type not listed, takes _write_cell's checks): one look-up instead of a chain.
        self._writers: dict[type, Callable[[int, int, Any], Any]] = {
            str: write_string,
            int: write_number,
            float: write_number,
            Decimal: write_decimal,
            type(None): lambda row, column, value: None,
        }
        self._write_other = write_other

    def write_row(self, values: Sequence[Any]) -> None:
        self.count += 1
        row = self.count
        if row >= XLSX_MAX_ROWS:
            raise TooManyRowsError(f"An .xlsx sheet holds at most {XLSX_MAX_ROWS - 1:,} rows.")
        find, other = self._writers.get, self._write_other
        for column, value in enumerate(values):
            find(type(value), other)(row, column, value)

    def close(self) -> None:
        self.workbook.close()


def _numbered(sheet: Any, name: str) -> Callable[..., Any]:
    """xlsxwriter's ``name`` for a cell given by numbers. Its public writers first look
    for a cell name ("B2") among the arguments, about a third of a cell's cost in a
    long sheet; each delegates to its ``_name`` with the same arguments, used when it
    is there (tests check both write the same sheet)."""
    return getattr(sheet, f"_{name}", None) or getattr(sheet, name)


def _write_cell(
    sheet: Any, row: int, column: int, value: Any, date_format: Any, datetime_format: Any
) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float | Decimal):
        # Excel keeps 15 significant digits; a money or quantity column fits.
        sheet.write_number(row, column, float(value))
    elif isinstance(value, datetime):
        # Excel has no time zones: the time is written as it reads (UTC in Poser).
        sheet.write_datetime(row, column, value.replace(tzinfo=None), datetime_format)
    elif isinstance(value, date):
        sheet.write_datetime(row, column, value, date_format)
    else:
        sheet.write_string(row, column, str(value))
