"""Which of Poser's columns each column of a catalog file holds: read from its header
(the aliases of `CATALOG_COLUMNS`, then the vendor's mapping), shown to the operator,
who may choose them from a list; the choice reads the batch again and is remembered
with the vendor for its next file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete

from poser.models.orm import Batch, CatalogBatchRow, DataSet, User, Vendor
from poser.storage.interface import FileStore
from poser.tasks import jobs
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.batches.base import moved_on
from poser.tasks.batches.jobs import populate
from poser.tasks.batches.requests import listed_batch
from poser.tasks.jobs import JobQueue
from poser.tasks.sessions import session_of
from poser.utils.tabular import CATALOG_COLUMNS, HeaderNotFoundError, TabularError, open_table

#: Poser's catalog columns as operators read them, in the order the lists offer them.
COLUMN_LABELS = {
    "upc": "UPC",
    "vendor_item_code": "Vendor's item code",
    "description": "Description",
    "brand": "Brand",
    "size": "Size",
    "case_size": "Units per case (pack)",
    "case_cost": "Case cost",
    "unit_cost": "Unit cost",
    "department": "Department",
}
#: The most columns of a file the mapping lists.
MAX_HEADERS = 60


def file_headers(batch: Batch, files: FileStore) -> list[tuple[str, str | None]]:
    """The headers of the batch's file, in order, each with the Poser column it is read
    as (None: not read). The header row is the one that names a UPC column, else the
    file's first row; [] when the file cannot be opened."""
    if not batch.input_key:
        return []
    columns = CATALOG_COLUMNS.with_mapping(batch.parameters.get("mapping") or {})
    try:
        headers = _header_texts(files, batch.input_key, batch.input_filename)
    except (TabularError, OSError):
        return []
    return [(text, columns.canonical(text)) for text in headers[:MAX_HEADERS]]


def _header_texts(files: FileStore, key: str, filename: str | None) -> list[str]:
    for columns in (CATALOG_COLUMNS, None):
        try:
            with files.open(key) as stream, open_table(stream, filename, columns=columns) as table:
                return [table.source_headers[name] for name in table.headers]
        except HeaderNotFoundError:
            continue
    return []


def check_mapping(chosen: Mapping[str, str | None]) -> dict[str, str | None]:
    """The mapping of each header to a Poser column (None: not read), refused with a
    message for the operator when two headers are read as one column or none is the
    UPC."""
    taken: dict[str, str] = {}
    for header, column in chosen.items():
        if column is None:
            continue
        if column not in COLUMN_LABELS:
            raise BatchError(f"{header}: choose one of Poser's columns from the list.")
        if column in taken:
            raise BatchError(
                f"“{taken[column]}” and “{header}” are both read as "
                f"{COLUMN_LABELS[column]}: choose it for one of them only."
            )
        taken[column] = header
    if "upc" not in taken:
        raise BatchError("Choose the column that holds the UPC: without it no row can be read.")
    if not {"case_cost", "unit_cost"} & set(taken):
        raise BatchError("Choose the column that holds the case cost or the unit cost.")
    return dict(chosen)


def read_again_with(
    data_set: DataSet,
    posted: Mapping[str, Any],
    chosen: Mapping[str, str | None],
    queue: JobQueue,
    user: User | None,
) -> Batch:
    """Read the batch the form names again with the columns the operator chose, and
    remember them with its vendor for its next file. Refused (BatchError) for a batch
    applied, deleted or changed since the page showed it."""
    batch = listed_batch(data_set, "catalog", posted)
    if batch.status == "executed":
        raise BatchError(f"Batch #{batch.id} was applied: its columns are kept as they were read.")
    mapping = check_mapping(chosen)
    handler = get_handler("catalog")
    batch.parameters = handler.check_parameters(
        session_of(data_set), data_set, {**batch.parameters, "mapping": mapping}
    ) | {key: value for key, value in batch.parameters.items() if key in ("sha256",)}
    session_of(data_set).execute(
        delete(CatalogBatchRow).where(CatalogBatchRow.batch_id == batch.id)
    )
    batch.status, batch.error = "new", None
    batch.status_counts, batch.row_count = {}, 0
    batch.acknowledged_at = batch.acknowledged_by_id = None
    moved_on(batch)
    vendor = session_of(data_set).get(Vendor, batch.parameters["vendor_id"])
    if vendor is not None:
        vendor.column_mapping = mapping
    session_of(data_set).flush()
    jobs.submit(
        session_of(data_set),
        queue,
        populate,
        data_set=data_set,
        user=user,
        parameters={"batch_id": batch.id},
    )
    return batch
