"""Streaming .xlsx reading through openpyxl's read-only mode.

openpyxl rather than python-calamine, which would be faster: calamine reads a file
object whole into memory and expands every sheet into a dense grid before handing out
its first row, so a 5 KB workbook with two far-apart cells costs hundreds of MB (and one
with cells at A1 and XFD1048576 would need hundreds of GB). openpyxl's read-only mode
parses the sheet XML as a stream, one row at a time.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from poser.utils.tabular.errors import TabularError
from poser.utils.tabular.limits import Limits
from poser.utils.tabular.zipcheck import check_archive, is_spreadsheet

# openpyxl is imported when a workbook is opened: a process that reads only CSV (the
# catalog reader) is 10 MB smaller and starts sooner without it.
if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

EXCEL_MAX_ROWS = 1_048_576
RawRows = Iterator[tuple[int, list[object]]]

# A damaged workbook makes openpyxl raise whatever its XML parser (lxml or ElementTree),
# zipfile, zlib or its own descriptors raise; there is no common base to catch but
# Exception. Running out of memory is not damage, though.
_NOT_DAMAGE = (MemoryError, TabularError)


class XlsxStream:
    """A binary, seekable stream opened as a workbook: its worksheets' names, and the
    rows of any of them."""

    def __init__(self, stream: BinaryIO, limits: Limits) -> None:
        start = stream.tell()
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError):
            raise TabularError(
                "this file is not an Excel workbook (.xlsx): it is not a zip archive. "
                "It may be damaged or truncated, or another kind of file with an .xlsx name"
            ) from None
        with archive:
            check_archive(archive, limits)
            if not is_spreadsheet(archive):
                raise TabularError("this file is a zip archive but not an Excel workbook (.xlsx)")
        stream.seek(start)
        try:
            # openpyxl warns about every feature it drops (data validation, drawings...);
            # none of that matters to reading values, and the warnings would reach logs.
            from openpyxl import load_workbook

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._workbook: Workbook = load_workbook(
                    stream, read_only=True, data_only=True, keep_links=False
                )
        except _NOT_DAMAGE:
            raise
        except Exception as error:
            raise TabularError(f"this workbook is damaged and cannot be read ({error})") from None
        # `worksheets` leaves out chart sheets, which hold no cells.
        self.sheet_names: list[str] = [ws.title for ws in self._workbook.worksheets]

    def pick(self, name: str) -> str:
        """The title of the sheet an operator named, or TabularError listing the sheets."""
        if name in self.sheet_names:
            return name
        # Operators type sheet names from memory; case and spaces are not worth a failure.
        folded = {title.strip().casefold(): title for title in self.sheet_names}
        found = folded.get(name.strip().casefold())
        if found is None:
            titles = ", ".join(repr(title) for title in self.sheet_names) or "none"
            raise TabularError(
                f"this workbook has no sheet named {name!r}; its sheets are: {titles}"
            )
        return found

    def rows(self, sheet: str) -> RawRows:
        """(sheet row number, cells) for every row of a sheet, empty rows included."""
        worksheet: ReadOnlyWorksheet = self._workbook[sheet]
        # The <dimension> element is written by the producer and may lie; without it,
        # openpyxl sizes each row by its own cells instead of padding to a claimed width.
        worksheet.reset_dimensions()
        line = 0
        try:
            # openpyxl yields an empty row for every row number the sheet skips, so the
            # position in this iteration is the sheet's own row number.
            for line, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
                if line > EXCEL_MAX_ROWS:
                    # Only a forged file numbers rows past Excel's limit, and openpyxl
                    # would walk every skipped row number up to it.
                    raise TabularError(
                        f"this sheet has rows past Excel's limit of {EXCEL_MAX_ROWS:,}",
                        line=line,
                    )
                yield line, list(cells)
        except _NOT_DAMAGE:
            raise
        except Exception as error:
            raise TabularError(
                f"this sheet is damaged and cannot be read ({error})", line=line + 1
            ) from None

    def close(self) -> None:
        self._workbook.close()
