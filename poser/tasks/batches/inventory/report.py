"""The change report of an applied count: every product whose on-hand it set, with the
count's numbers (before, counted, after, the variance in units, at cost and at retail)
and where it was counted, as CSV and XLSX (`poser.tasks.batches.report` writes and
records it)."""

from __future__ import annotations

from sqlalchemy import case, select

from poser.models.orm import Batch, Department, Export, InventoryBatchRow, Product, User
from poser.storage.interface import FileStore
from poser.tasks.batches.inventory.execute import applied
from poser.tasks.batches.report import write_batch_report
from poser.tasks.exports import ExportColumn
from poser.utils.labels import INVENTORY_ROW_STATUSES
from poser.utils.progress import Progress

R = InventoryBatchRow
COLUMNS = (
    ExportColumn("upc", "UPC"),
    ExportColumn("description", "Description"),
    ExportColumn("department", "Department"),
    ExportColumn("section", "Section"),
    ExportColumn("file_name", "File"),
    ExportColumn("line", "Line"),
    ExportColumn("on_hand_before", "On-hand before"),
    ExportColumn("counted_units", "Counted"),
    ExportColumn("new_on_hand", "New on-hand"),
    ExportColumn("variance_units", "Variance"),
    ExportColumn("variance_cost", "Variance at cost"),
    ExportColumn("variance_retail", "Variance at retail"),
    ExportColumn("status", "What changed"),
)


def write_count_report(
    batch: Batch, files: FileStore, user: User | None, progress: Progress, folder: str
) -> Export:
    """The rows the count's apply changed, in the order of the count's lines."""
    query = (
        select(
            Product.upc,
            Product.description,
            Department.name,
            R.section,
            R.file_name,
            R.line,
            R.on_hand_before,
            R.counted_units,
            R.new_on_hand,
            R.variance_units,
            R.variance_cost,
            R.variance_retail,
            case(INVENTORY_ROW_STATUSES, value=R.status, else_=R.status),
        )
        .join(Product, Product.id == R.product_id)
        .outerjoin(Department, Department.id == R.department_id)
        .where(applied(batch))
        .order_by(R.id)
    )
    return write_batch_report(
        batch,
        files,
        user,
        progress,
        folder=folder,
        title=f"Inventory count changes: batch {batch.id}",
        basename=f"inventory-batch-{batch.id}-changes",
        columns=COLUMNS,
        query=query,
    )
