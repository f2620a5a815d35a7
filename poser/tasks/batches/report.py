"""A batch's change report: the rows its apply changed, as CSV and XLSX, recorded as an
export of the batch. Each batch type gives its columns and its rows' query
(`BatchHandler.write_report`); writing and recording them is the same for every type.

It is written after the batch's execution has committed, by a job of its own: the files
first, into the batch's folder, reading only; then, in a short write, the Export that
records them with the batch. Files written whole by a try whose write was refused (the
database was busy) are recorded by the next try as they are, not written again: that
try holds the write lock from its start.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Select

from poser.models.orm import Batch, DataSet, Export, User
from poser.storage.interface import FileStore
from poser.tasks import exports
from poser.tasks.exports import ExportColumn
from poser.tasks.sessions import session_of
from poser.utils.progress import Progress

#: Rows read from the database at a time: a report of a million rows is never all in
#: memory.
STREAM_ROWS = 2_000
#: Written into the folder after the report's files: they are whole.
WRITTEN = "written.json"


def write_batch_report(
    batch: Batch,
    files: FileStore,
    user: User | None,
    progress: Progress,
    *,
    folder: str,
    title: str,
    basename: str,
    columns: Sequence[ExportColumn],
    query: Select[Any],
) -> Export:
    """Write ``query``'s rows (one value a column, in order) into ``folder`` (the
    batch's own), then record them as the batch's export."""
    session = session_of(batch)

    def rows() -> Iterator[Sequence[Any]]:
        yield from session.execute(query.execution_options(yield_per=STREAM_ROWS))

    written = _written(files, folder)
    if written is None:
        files.remove_tree(folder)  # what an earlier try left half-written
        names, count = exports.write_export_files(
            files,
            folder,
            title=title,
            basename=basename,
            columns=columns,
            rows=rows,
            progress=progress,
        )
        files.write(f"{folder}/{WRITTEN}", json.dumps({"files": names, "rows": count}).encode())
    else:
        names, count = written
        progress.log(f"The files an earlier try wrote are whole: {', '.join(names)}.")
    export = exports.record_export(
        session.get_one(DataSet, batch.data_set_id),
        files,
        export_type=batch.batch_type,
        title=title,
        folder=folder,
        names=names,
        row_count=count,
        user_id=user.id if user else None,
        batch_id=batch.id,
    )
    files.remove_tree(folder)
    return export


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
