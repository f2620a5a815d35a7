"""A data set as an .xlsx workbook, and back, as its format declares it (`formats`).

One sheet per table, in load order, column names in the first row. Rows refer to each
other by their keys (a department's number, a vendor's code, a UPC), never by database
ids, so a file moves between databases and between data sets. Both ways stream:
neither holds a whole table in memory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import replace
from datetime import UTC
from typing import IO, Any, BinaryIO

import xlsxwriter
from sqlalchemy import Select, select

from poser.models.orm import DataSet
from poser.tasks.datasets.formats import DataSetFormat, Table, format_for
from poser.tasks.datasets.importer import import_sheets
from poser.tasks.jobs import TaskError
from poser.tasks.sessions import session_of
from poser.utils.labels import key_words
from poser.utils.progress import NullProgress, Progress
from poser.utils.tabular import DEFAULT_LIMITS, Columns, ColumnSpec, Limits, Source, TabularError
from poser.utils.tabular import Table as SheetRows
from poser.utils.tabular.errors import HeaderNotFoundError
from poser.utils.tabular.limits import MB
from poser.utils.tabular.xlsx_reader import XlsxStream

__all__ = ["IMPORT_LIMITS", "export_data_set", "import_data_set"]

#: Rows written or read between progress reports (and between fetches from the database).
BATCH = 5000
# Our own export of a million products inflates to more than the default upload limit;
# the zip checks still refuse bombs (the ratio limit), and reading streams either way.
# The upload checks a workbook's zip structure within these limits too, while the
# operator waits (see `store_upload`).
IMPORT_LIMITS = replace(DEFAULT_LIMITS, max_uncompressed_bytes=4096 * MB)
NOTHING_KEPT = "Data sets of this Application keep no tables: there is no workbook to {}."


def export_query(data_format: DataSetFormat, table: Table, data_set_id: int) -> Select[Any]:
    """The sheet's rows, in its columns' order (references as the key they refer to),
    sorted by its key so that equal data sets export equal files."""
    stored = table.table
    selected: dict[str, Any] = {}
    joined: Any = stored
    for column in table.columns:
        if column.refers_to is None:
            selected[column.name] = stored.c[column.stored_as]
            continue
        target = data_format.table(column.refers_to)
        other = target.table.alias(f"{column.name}_row")
        (primary,) = target.table.primary_key.columns
        joined = joined.outerjoin(other, other.c[primary.name] == stored.c[column.stored_as])
        selected[column.name] = other.c[target.column(target.key[0]).stored_as]
    return (
        select(*selected.values())
        .select_from(joined)
        .where(stored.c.data_set_id == data_set_id)
        .order_by(*(selected[name] for name in table.key))
    )


def export_data_set(
    data_set: DataSet, stream: IO[bytes], progress: Progress | None = None
) -> dict[str, int]:
    """Write the data set's tables to ``stream`` as an .xlsx workbook; returns row counts.

    xlsxwriter's constant-memory mode writes each row out as soon as the next begins,
    so a million products cost no more memory than a hundred.
    """
    progress = progress or NullProgress()
    session = session_of(data_set)
    data_format = format_for(data_set.application)
    if not data_format.tables:
        raise TaskError(NOTHING_KEPT.format("export"))
    total = sum(data_format.counts(session, data_set.id).values())
    # The creation date is the data set's, not today's: the same data gives the same file.
    properties: dict[str, Any] = {"title": data_set.name}
    if data_set.created_at is not None:
        properties["created"] = data_set.created_at.astimezone(UTC).replace(tzinfo=None)
    workbook = xlsxwriter.Workbook(
        stream, {"constant_memory": True, "strings_to_numbers": False, "strings_to_urls": False}
    )
    workbook.set_properties(properties)
    header = workbook.add_format({"bold": True})
    number_formats: dict[str, Any] = {}
    counts: dict[str, int] = {}
    done = 0
    try:
        for table in data_format.tables:
            sheet = workbook.add_worksheet(table.sheet)
            sheet.freeze_panes(1, 0)
            writers = []
            for index, column in enumerate(table.columns):
                shown = column.number_format
                if shown is not None and shown not in number_formats:
                    number_formats[shown] = workbook.add_format({"num_format": shown})
                number_format = number_formats.get(shown or "")
                sheet.set_column(index, index, column.width, number_format)
                writers.append(_writer(sheet, number_format))
            sheet.write_row(0, 0, [column.name for column in table.columns], header)
            count = 0
            query = export_query(data_format, table, data_set.id)
            result = session.execute(query, execution_options={"yield_per": BATCH})
            for count, row in enumerate(result, start=1):
                for index, (write, value) in enumerate(zip(writers, row, strict=True)):
                    if value is not None and value != "":
                        write(count, index, value)
                if count % BATCH == 0:
                    progress.update(
                        done + count, total, f"{key_words(table.sheet)}: {count:,} rows"
                    )
            counts[table.sheet] = count
            done += count
    finally:
        workbook.close()
    progress.update(total, total, "exported")
    return counts


def _writer(sheet: Any, number_format: Any) -> Any:
    """The xlsxwriter call for one column: typed, so nothing is guessed from the value."""

    def write(row: int, column: int, value: Any) -> None:
        if isinstance(value, bool):
            sheet.write_boolean(row, column, value)
        elif isinstance(value, str):
            sheet.write_string(row, column, value)  # UPCs keep their leading zeros
        else:
            sheet.write_number(row, column, float(value), number_format)

    return write


def import_data_set(
    data_set: DataSet, source: Source, progress: Progress | None = None
) -> dict[str, int]:
    """Load a workbook written by `export_data_set` into an empty data set.

    Raises TaskError: "This is not a data set workbook" when a sheet or a column is
    missing (checked before any row is read), else naming each row's problems.
    Everything happens inside a savepoint that a failure rolls back, so an error leaves
    nothing behind even if the caller went on to commit; the caller's transaction still
    decides what is kept.
    """
    progress = progress or NullProgress()
    session = session_of(data_set)
    data_format = format_for(data_set.application)
    if not data_format.tables:
        raise TaskError(NOTHING_KEPT.format("load"))
    if not data_format.is_empty(session, data_set.id):
        raise TaskError("This data set has data already; import into an empty one.")
    loading = data_format.loading
    with open_sheets(source, data_format, IMPORT_LIMITS) as sheets, session.begin_nested():
        # The data set is empty: what its format does around a load of new rows (the
        # products index their search once at the end) suits it. Its connection is
        # asked for within the savepoint, which the session begins only then.
        around = loading(session.connection(), data_set.id) if loading else nullcontext()
        with around:
            return import_sheets(session, data_set.id, data_format, sheets, progress, batch=BATCH)


@contextmanager
def open_sheets(
    source: Source, data_format: DataSetFormat, limits: Limits
) -> Iterator[dict[str, SheetRows]]:
    """Every sheet of the format, its header found and its rows yet to be read, from one
    opening of the workbook (openpyxl reads its text table and sizes up its sheets then).

    Raises TaskError unless every sheet is there with its columns, before any row is
    read: a file that is no data set workbook at all is named as such, not by the bad
    rows of a sheet before the one it lacks. It runs in the job, never while the
    operator waits.
    """
    with ExitStack() as stack:
        try:
            workbook = XlsxStream(stack.enter_context(_seekable(source)), limits)
        except TabularError as error:  # the file as a whole
            raise TaskError(f"This is not a data set workbook: {error.message}.") from None
        stack.callback(workbook.close)
        sheets: dict[str, SheetRows] = {}
        for table in data_format.tables:
            columns = Columns(
                ColumnSpec(column.name, required=column.required) for column in table.columns
            )
            try:
                name = workbook.pick(table.sheet)
                sheets[table.sheet] = SheetRows(
                    workbook.rows(name), format="xlsx", columns=columns, limits=limits, sheet=name
                )
            except HeaderNotFoundError as error:
                raise TaskError(
                    f"This is not a data set workbook. In sheet {table.sheet!r}: {error.message}."
                ) from None
            except TabularError as error:  # a sheet it lacks, or a damaged one
                raise TaskError(f"This is not a data set workbook: {error.message}.") from None
        yield sheets


@contextmanager
def _seekable(source: Source) -> Iterator[BinaryIO]:
    """The source as a stream that can seek (a zip archive is read from its end), at
    the workbook's start."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            yield stream
        return
    seekable = getattr(source, "seekable", None)
    if seekable is not None and seekable():
        yield source
        return
    # An upload arriving over a socket lands on disk first.
    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(source, spool, MB)
        spool.seek(0)
        yield spool
