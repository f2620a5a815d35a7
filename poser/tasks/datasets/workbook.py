"""A data set's catalog as an .xlsx workbook, and back.

One sheet per table (departments, vendors, products, product_costs), column names in
the first row. Rows refer to each other by what operators know them by (department
number, vendor code, UPC), never by database ids, so a file moves between databases
and between data sets. Both ways stream: neither holds a whole table in memory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC
from typing import IO, Any, BinaryIO

import xlsxwriter
from sqlalchemy import Select, select

from poser.models.data_extraction.products import product_counts
from poser.models.orm import DataSet, Department, Product, ProductCost, Vendor
from poser.models.orm.search import search_indexed_after
from poser.tasks.datasets.importer import check_sheets, import_sheets
from poser.tasks.datasets.sheets import SHEETS
from poser.tasks.jobs import TaskError
from poser.tasks.sessions import session_of
from poser.utils.progress import NullProgress, Progress
from poser.utils.tabular import DEFAULT_LIMITS, Source
from poser.utils.tabular.limits import MB

__all__ = ["IMPORT_LIMITS", "SHEETS", "export_data_set", "import_data_set"]

#: Rows written or read between progress reports (and between fetches from the database).
BATCH = 5000
# Our own export of a million products inflates to more than the default upload limit;
# the zip checks still refuse bombs (the ratio limit), and reading streams either way.
# The upload checks a workbook's zip structure within these limits too, while the
# operator waits (see `store_upload`).
IMPORT_LIMITS = replace(DEFAULT_LIMITS, max_uncompressed_bytes=4096 * MB)

# Number formats per column (on hand stays General: 12 and 5.429, not 12.000), and
# widths: they only make the sheets pleasant to open.
_FORMATS = {"regular_price": "0.00", "case_cost": "0.00", "unit_cost": "0.0000"}
_WIDTHS = {"name": 32, "description": 40, "brand": 24, "upc": 16, "vendor_item_code": 16}


def _queries(data_set_id: int) -> dict[str, Select[Any]]:
    """Each sheet's rows, in its columns' order, sorted by natural key so that equal
    data sets export equal files."""
    return {
        "departments": select(Department.number, Department.name)
        .where(Department.data_set_id == data_set_id)
        .order_by(Department.number),
        "vendors": select(Vendor.code, Vendor.name)
        .where(Vendor.data_set_id == data_set_id)
        .order_by(Vendor.code),
        "products": select(
            Product.upc,
            Product.description,
            Product.brand,
            Product.size,
            Department.number,
            Product.regular_price,
            Product.on_hand,
            Product.active,
        )
        .outerjoin(Department, Department.id == Product.department_id)
        .where(Product.data_set_id == data_set_id)
        .order_by(Product.upc),
        "product_costs": select(
            Product.upc,
            Vendor.code,
            ProductCost.vendor_item_code,
            ProductCost.case_size,
            ProductCost.case_cost,
            ProductCost.unit_cost,
            ProductCost.preferred,
        )
        .join(Product, Product.id == ProductCost.product_id)
        .join(Vendor, Vendor.id == ProductCost.vendor_id)
        .where(ProductCost.data_set_id == data_set_id)
        .order_by(Product.upc, Vendor.code),
    }


def export_data_set(
    data_set: DataSet, stream: IO[bytes], progress: Progress | None = None
) -> dict[str, int]:
    """Write the data set's catalog to ``stream`` as an .xlsx workbook; returns row counts.

    xlsxwriter's constant-memory mode writes each row out as soon as the next begins,
    so a million products cost no more memory than a hundred.
    """
    progress = progress or NullProgress()
    session = session_of(data_set)
    total = sum(product_counts(session, data_set.id).values())
    # The creation date is the data set's, not today's: the same data gives the same file.
    properties: dict[str, Any] = {"title": data_set.name}
    if data_set.created_at is not None:
        properties["created"] = data_set.created_at.astimezone(UTC).replace(tzinfo=None)
    workbook = xlsxwriter.Workbook(
        stream, {"constant_memory": True, "strings_to_numbers": False, "strings_to_urls": False}
    )
    workbook.set_properties(properties)
    header = workbook.add_format({"bold": True})
    formats = {column: workbook.add_format({"num_format": f}) for column, f in _FORMATS.items()}
    counts: dict[str, int] = {}
    done = 0
    try:
        for name, query in _queries(data_set.id).items():
            columns = SHEETS[name]
            sheet = workbook.add_worksheet(name)
            sheet.freeze_panes(1, 0)
            for index, column in enumerate(columns):
                sheet.set_column(index, index, _WIDTHS.get(column, 14), formats.get(column))
            sheet.write_row(0, 0, columns, header)
            writers = [_writer(sheet, formats.get(column)) for column in columns]
            count = 0
            result = session.execute(query, execution_options={"yield_per": BATCH})
            for count, row in enumerate(result, start=1):
                for index, (write, value) in enumerate(zip(writers, row, strict=True)):
                    if value is not None and value != "":
                        write(count, index, value)
                if count % BATCH == 0:
                    progress.update(done + count, total, f"{name}: {count:,} rows")
            counts[name] = count
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
    if any(product_counts(session, data_set.id).values()):
        raise TaskError("This data set has catalog data already; import into an empty one.")
    # The data set is empty, so its products may be added to the description search in
    # one statement at the end rather than one by one (see `search_indexed_after`).
    with _seekable(source) as (stream, start):
        check_sheets(stream, start, IMPORT_LIMITS)
        with session.begin_nested(), search_indexed_after(session.connection(), data_set.id):
            return import_sheets(
                session, data_set.id, stream, start, IMPORT_LIMITS, progress, batch=BATCH
            )


@contextmanager
def _seekable(source: Source) -> Iterator[tuple[Source, int]]:
    """The source, and where it starts, in a form each sheet can be read from again."""
    if isinstance(source, str | os.PathLike):
        yield source, 0
        return
    stream: BinaryIO = source
    seekable = getattr(stream, "seekable", None)
    if seekable is not None and seekable():
        yield stream, stream.tell()
        return
    # Each sheet is read separately, and a zip archive is read from its end: an
    # upload arriving over a socket lands on disk first.
    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(stream, spool, MB)
        spool.seek(0)
        yield spool, 0
