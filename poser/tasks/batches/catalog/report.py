"""The change report of a catalog batch: every row that changed something or could not,
as CSV and XLSX, with the columns of the output template ``catalog_change_report.json``
(an operator's copy in the app dir's templates folder wins over the packaged one).
`poser.tasks.batches.report` writes and records it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, case, literal, select

from poser.models.orm import Batch, CatalogBatchRow, Export, User
from poser.storage.interface import FileStore
from poser.tasks.batches.base import took_effect
from poser.tasks.batches.report import write_batch_report
from poser.tasks.exports import load_output_template, template_columns
from poser.utils.labels import ROW_STATUSES
from poser.utils.progress import Progress

TEMPLATE = "catalog_change_report.json"
#: Values of the batch, the same on every line of its report.
BATCH_KEYS = frozenset({"effective_date"})
REPORT_KEYS = BATCH_KEYS | frozenset(
    column.key for column in CatalogBatchRow.__table__.columns if column.key != "data_set_id"
)


def write_change_report(
    batch: Batch, files: FileStore, user: User | None, progress: Progress, folder: str
) -> Export:
    """Write the report's files into ``folder`` (the batch's own), then record them."""
    template = load_output_template(files, TEMPLATE, known_keys=REPORT_KEYS)
    columns = template_columns(template)
    effective = took_effect(batch)
    query = (
        select(*[_selected(column.key, effective) for column in columns])
        .where(CatalogBatchRow.batch_id == batch.id, CatalogBatchRow.status != "unchanged")
        .order_by(CatalogBatchRow.id)
    )
    title = f"{template.get('title', 'Catalog changes')}: batch {batch.id}"
    if effective is not None:
        title += f", effective {effective.isoformat()}"
    return write_batch_report(
        batch,
        files,
        user,
        progress,
        folder=folder,
        title=title,
        basename=f"catalog-batch-{batch.id}-changes",
        columns=columns,
        query=query,
    )


def _selected(key: str, effective: date | None) -> Any:
    """A report column: a row's status in the words of the review page, not its key."""
    if key == "effective_date":
        return literal(effective, Date()).label(key)
    column = getattr(CatalogBatchRow, key)
    if key == "status":
        return case(ROW_STATUSES, value=column, else_=column).label(key)
    return column
