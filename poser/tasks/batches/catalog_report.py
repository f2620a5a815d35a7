"""The change report of a catalog batch: every row that changed something or could not,
as CSV and XLSX, with the columns of the output template ``catalog_change_report.json``
(an operator's copy in the app dir's templates folder wins over the packaged one)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select

from poser.models.orm import Batch, CatalogBatchRow, DataSet, Export, User
from poser.storage.interface import FileStore
from poser.tasks.exports import load_output_template, template_columns, write_export
from poser.tasks.sessions import session_of
from poser.utils.progress import Progress

TEMPLATE = "catalog_change_report.json"
REPORT_KEYS = frozenset(
    column.key for column in CatalogBatchRow.__table__.columns if column.key != "data_set_id"
)
STREAM_ROWS = 2_000


def write_change_report(
    batch: Batch, files: FileStore, user: User | None, progress: Progress | None = None
) -> Export:
    template = load_output_template(files, TEMPLATE, known_keys=REPORT_KEYS)
    columns = template_columns(template)
    session = session_of(batch)
    selected = [getattr(CatalogBatchRow, column.key) for column in columns]
    query = (
        select(*selected)
        .where(CatalogBatchRow.batch_id == batch.id, CatalogBatchRow.status != "unchanged")
        .order_by(CatalogBatchRow.id)
    )

    def rows() -> Iterator[Sequence[Any]]:
        # Streamed in slices: a report of a million changed rows is never all in memory.
        result = session.execute(query.execution_options(yield_per=STREAM_ROWS))
        yield from result

    return write_export(
        session.get_one(DataSet, batch.data_set_id),
        files,
        export_type="catalog",
        title=f"{template.get('title', 'Catalog changes')}: batch {batch.id}",
        basename=f"catalog-batch-{batch.id}-changes",
        columns=columns,
        rows=rows,
        user_id=user.id if user else None,
        batch_id=batch.id,
        progress=progress,
    )
