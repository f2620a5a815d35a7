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
from collections.abc import Iterable, Iterator, Sequence
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


def csv_rows(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """A CSV file in chunks of bytes: UTF-8 with a BOM (so that Excel does not read it
    as the local code page), CRLF line ends and minimal quoting (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([neutralize(str(name)) for name in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        if buffer.tell() >= CSV_CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(
    target: str | IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_name: str = "Rows",
) -> int:
    """Write an .xlsx workbook to a path or a binary file; returns the rows written.

    xlsxwriter's constant_memory mode flushes each row to a temporary file as soon as
    the next begins. Raises TooManyRowsError past Excel's limit: a cut-off file would look
    complete to the operator.
    """
    workbook = xlsxwriter.Workbook(
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
    try:
        sheet = workbook.add_worksheet(sheet_name[:31])
        bold = workbook.add_format({"bold": True})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for column, name in enumerate(header):
            sheet.write_string(0, column, str(name), bold)
        sheet.freeze_panes(1, 0)
        count = 0
        for count, row in enumerate(rows, start=1):
            if count >= XLSX_MAX_ROWS:
                raise TooManyRowsError(f"An .xlsx sheet holds at most {XLSX_MAX_ROWS - 1:,} rows.")
            for column, value in enumerate(row):
                _write_cell(sheet, count, column, value, date_format, datetime_format)
    finally:
        workbook.close()
    return count


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
