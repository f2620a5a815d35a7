"""Opening a file (a path or a binary stream) as a `Table`, whatever its format."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from typing import BinaryIO

from poser.utils.tabular.csv_reader import CsvStream
from poser.utils.tabular.errors import HeaderNotFoundError, TabularError
from poser.utils.tabular.headers import Columns
from poser.utils.tabular.limits import DEFAULT_LIMITS, MB, Limits
from poser.utils.tabular.sniff import OLE_MAGIC, ZIP_MAGICS, sniff_format
from poser.utils.tabular.table import Table
from poser.utils.tabular.text import read_sample
from poser.utils.tabular.xlsx_reader import XlsxStream

# A path, or a binary file object (an open file, an upload, a storage backend's stream);
# a file object stays open, the caller's to close.
Source = str | os.PathLike[str] | BinaryIO
ColumnMapping = Mapping[str, str | None]

_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_MARKUP = (b"<html", b"<!doctype html", b"<table", b"<?xml")


def open_table(
    source: Source,
    filename: str | None = None,
    sheet: str | None = None,
    *,
    columns: Columns | None = None,
    mapping: ColumnMapping | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Table:
    """Open a CSV file or an .xlsx workbook, chosen by content, as a `Table`.

    `filename` (the name the operator uploaded) only improves messages; `sheet` picks a
    worksheet by name (by default the first whose first rows hold a header with the
    required columns; `Table.read_from` says which) and is ignored for CSV; `columns` are
    the expected columns (without them every header is kept, normalized); `mapping` is
    a per-vendor header -> canonical name map (None ignores a column).
    """
    with _Resources() as resources:
        stream, name = resources.open(source)
        filename = filename or name
        start = _tell(stream)
        head, complete = read_sample(stream)
        if not head:
            raise TabularError("the file is empty")
        if head.startswith(ZIP_MAGICS):
            table = _xlsx_table(stream, (head, start), sheet, columns, mapping, limits, resources)
            return resources.hand_over(table)
        if head.startswith(OLE_MAGIC):
            raise TabularError(
                "this is an old Excel workbook (.xls) or another Office file; "
                "save it as .xlsx or CSV and upload that"
            )
        if _is_markup(head):
            # Many systems "export to Excel" as an HTML table or an XML Spreadsheet 2003
            # named .xls; read as CSV it would only give a confusing header error.
            raise TabularError(
                "this file is a web page or XML document, not a table file; "
                "open it in Excel and save it as .xlsx or CSV"
            )
        if filename and filename.lower().endswith(_EXCEL_SUFFIXES) and sniff_format(head) is None:
            # Text named .xlsx is read as CSV (the content decides); binary named .xlsx
            # is most likely a broken download, which deserves a better message than
            # "not text".
            raise TabularError(
                f"{filename} is named like an Excel workbook but is not one: "
                "it is not a zip archive (it may be damaged or truncated)"
            )
        table = _csv_table(stream, (head, complete), columns, mapping, limits, resources)
        return resources.hand_over(table)


def read_csv(
    source: Source,
    *,
    columns: Columns | None = None,
    mapping: ColumnMapping | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Table:
    """Open a CSV file as a `Table` (see `open_table` for the arguments)."""
    with _Resources() as resources:
        stream, _ = resources.open(source)
        table = _csv_table(stream, None, columns, mapping, limits, resources)
        return resources.hand_over(table)


def read_xlsx(
    source: Source,
    sheet: str | None = None,
    *,
    columns: Columns | None = None,
    mapping: ColumnMapping | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Table:
    """Open an .xlsx workbook as a `Table` (see `open_table` for the arguments)."""
    with _Resources() as resources:
        stream, _ = resources.open(source)
        table = _xlsx_table(
            stream, (b"", _tell(stream)), sheet, columns, mapping, limits, resources
        )
        return resources.hand_over(table)


def _csv_table(
    stream: BinaryIO,
    sample: tuple[bytes, bool] | None,
    columns: Columns | None,
    mapping: ColumnMapping | None,
    limits: Limits,
    resources: _Resources,
) -> Table:
    """The table of a CSV ``stream``; ``sample`` is the (head, complete) a caller already
    read from it to sniff it, if any."""
    csv_stream = CsvStream(stream, limits, sample=sample)
    resources.push(csv_stream.close)
    return Table(
        csv_stream.rows(),
        format="csv",
        columns=_columns(columns, mapping),
        limits=limits,
        close=resources.close,
        encoding=csv_stream.encoding,
        delimiter=csv_stream.delimiter,
    )


def _xlsx_table(
    stream: BinaryIO,
    read: tuple[bytes, int | None],
    sheet: str | None,
    columns: Columns | None,
    mapping: ColumnMapping | None,
    limits: Limits,
    resources: _Resources,
) -> Table:
    """The table of the sheet named, or else of the first sheet with a header: vendors
    put a cover sheet, notes or terms before the catalog. ``read`` is what a caller
    already read from ``stream`` and where it started (`_Resources.seekable`)."""
    columns = _columns(columns, mapping)
    head, start = read
    workbook = XlsxStream(resources.seekable(stream, head, start, limits), limits)
    resources.push(workbook.close)
    names = [workbook.pick(sheet)] if sheet is not None else workbook.sheet_names
    if not names:
        raise TabularError("this workbook has no worksheet")
    refusals: list[HeaderNotFoundError] = []
    for name in names:
        try:
            return Table(
                workbook.rows(name),
                format="xlsx",
                columns=columns,
                limits=limits,
                close=resources.close,
                sheet=name,
            )
        except HeaderNotFoundError as error:
            refusals.append(error)
    if len(refusals) == 1:
        raise refusals[0]
    listed = ", ".join(repr(name) for name in names)
    raise HeaderNotFoundError(
        f"none of the sheets of this workbook ({listed}) has a header row with the columns "
        f"needed; in the first, {names[0]!r}: {refusals[0].message}"
    )


def _columns(columns: Columns | None, mapping: ColumnMapping | None) -> Columns | None:
    if not mapping:
        return columns
    if columns is None:
        raise ValueError("a column mapping needs the columns it maps to")
    return columns.with_mapping(mapping)


def _is_markup(head: bytes) -> bool:
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1024].lower()
    return start.startswith(b"<") and any(marker in start for marker in _MARKUP)


def _tell(stream: BinaryIO) -> int | None:
    seekable: Callable[[], bool] | None = getattr(stream, "seekable", None)
    return stream.tell() if seekable is not None and seekable() else None


class _Resources:
    """What a table opened (files, workbooks, spools), closed in reverse order once.

    Until `hand_over`, leaving the `with` block (on an error) closes everything; after
    it, the Table owns them and closes them when it is closed.
    """

    def __init__(self) -> None:
        self._closers: list[Callable[[], None]] = []
        self._handed_over = False

    def __enter__(self) -> _Resources:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self._handed_over:
            self.close()

    def push(self, closer: Callable[[], None]) -> None:
        self._closers.append(closer)

    def hand_over(self, table: Table) -> Table:
        self._handed_over = True
        return table

    def close(self) -> None:
        while self._closers:
            self._closers.pop()()

    def open(self, source: Source) -> tuple[BinaryIO, str | None]:
        if isinstance(source, str | os.PathLike):
            path = os.fspath(source)
            stream = open(path, "rb")  # noqa: SIM115 - closed with the table
            self.push(stream.close)
            return stream, os.path.basename(path)
        name = getattr(source, "name", None)
        return source, os.path.basename(name) if isinstance(name, str) else None

    def seekable(
        self, stream: BinaryIO, head: bytes, start: int | None, limits: Limits
    ) -> BinaryIO:
        """`stream` from its start, copied to a temporary file if it cannot seek.

        A zip archive is read from its end (the central directory), so a stream from a
        socket or an object store has to land somewhere first: on disk, not in memory.
        """
        if start is not None:
            stream.seek(start)
            return stream
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the table
        self.push(spool.close)
        spool.write(head)
        # A zip file is hardly larger than what it inflates to (a stored member is as big
        # as its content), so one bigger than the inflated limit would fail the zip
        # checks anyway: stop copying it early.
        cap = limits.max_uncompressed_bytes + MB
        copied = len(head)
        while chunk := stream.read(MB):
            copied += len(chunk)
            if copied > cap:
                raise TabularError(
                    f"this workbook is larger than {limits.max_uncompressed_bytes / MB:,.0f} MB"
                )
            spool.write(chunk)
        spool.seek(0)
        return spool  # type: ignore[return-value]
