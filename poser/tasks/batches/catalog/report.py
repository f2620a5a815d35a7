"""The change report of a catalog batch: every row that changed something or could not,
as CSV and XLSX, with the columns of the output template ``catalog_change_report.json``
(an operator's copy in the app dir's templates folder wins over the packaged one).

It is written after the batch's execution has committed, by a job of its own: the files
first, into the batch's folder, reading only; then, in a short write, the Export that
records them with the batch. Files written whole by a try whose write was refused (the
database was busy) are recorded by the next try as they are, not written again: that
try holds the write lock from its start.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Date, case, literal, select

from poser.models.orm import Batch, CatalogBatchRow, DataSet, Export, User
from poser.storage.interface import FileStore
from poser.tasks.batches.base import took_effect
from poser.tasks.exports import (
    load_output_template,
    record_export,
    template_columns,
    write_export_files,
)
from poser.tasks.sessions import session_of
from poser.utils.labels import ROW_STATUSES
from poser.utils.progress import Progress

TEMPLATE = "catalog_change_report.json"
#: Values of the batch, the same on every line of its report.
BATCH_KEYS = frozenset({"effective_date"})
REPORT_KEYS = BATCH_KEYS | frozenset(
    column.key for column in CatalogBatchRow.__table__.columns if column.key != "data_set_id"
)
STREAM_ROWS = 2_000
#: Written into the folder after the report's files: they are whole.
WRITTEN = "written.json"


def write_change_report(
    batch: Batch, files: FileStore, user: User | None, progress: Progress, folder: str
) -> Export:
    """Write the report's files into ``folder`` (the batch's own), then record them."""
    template = load_output_template(files, TEMPLATE, known_keys=REPORT_KEYS)
    columns = template_columns(template)
    session = session_of(batch)
    effective = took_effect(batch)
    selected = [_selected(column.key, effective) for column in columns]
    query = (
        select(*selected)
        .where(CatalogBatchRow.batch_id == batch.id, CatalogBatchRow.status != "unchanged")
        .order_by(CatalogBatchRow.id)
    )

    def rows() -> Iterator[Sequence[Any]]:
        # Streamed in slices: a report of a million changed rows is never all in memory.
        result = session.execute(query.execution_options(yield_per=STREAM_ROWS))
        yield from result

    title = f"{template.get('title', 'Catalog changes')}: batch {batch.id}"
    if effective is not None:
        title += f", effective {effective.isoformat()}"
    written = _written(files, folder)
    if written is None:
        files.remove_tree(folder)  # what an earlier try left half-written
        names, count = write_export_files(
            files,
            folder,
            title=title,
            basename=f"catalog-batch-{batch.id}-changes",
            columns=columns,
            rows=rows,
            progress=progress,
        )
        files.write(f"{folder}/{WRITTEN}", json.dumps({"files": names, "rows": count}).encode())
    else:
        names, count = written
        progress.log(f"The files an earlier try wrote are whole: {', '.join(names)}.")
    export = record_export(
        session.get_one(DataSet, batch.data_set_id),
        files,
        export_type="catalog",
        title=title,
        folder=folder,
        names=names,
        row_count=count,
        user_id=user.id if user else None,
        batch_id=batch.id,
    )
    files.remove_tree(folder)
    return export


def _selected(key: str, effective: date | None) -> Any:
    """A report column: a row's status in the words of the review page, not its key."""
    if key == "effective_date":
        return literal(effective, Date()).label(key)
    column = getattr(CatalogBatchRow, key)
    if key == "status":
        return case(ROW_STATUSES, value=column, else_=column).label(key)
    return column


def _written(files: FileStore, folder: str) -> tuple[list[str], int] | None:
    """The names and row count of report files an earlier try wrote whole, if any."""
    key = f"{folder}/{WRITTEN}"
    if not files.exists(key):
        return None
    written = json.loads(files.read_bytes(key))
    names = [str(name) for name in written["files"]]
    if not all(files.exists(f"{folder}/{name}") for name in names):
        return None
    return names, int(written["rows"])
