"""Queries over batches: the current one, their rows for review, and their charts."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select, true
from sqlalchemy.orm import Session

from poser.models.orm import Batch, CatalogBatchRow, Export, Vendor
from poser.utils.labels import ROW_STATUSES

R = CatalogBatchRow

#: How the review page names each status, in the order it lists them.
STATUS_LABELS = ROW_STATUSES  # the words of every page and report (poser.utils.labels)

#: Buckets of the cost-change distribution, in percent: (label, low, high) with the
#: low bound included; None is open-ended.
CHANGE_BUCKETS: tuple[tuple[str, float | None, float | None], ...] = (
    ("below -20%", None, -20),
    ("-20% to -10%", -20, -10),
    ("-10% to -5%", -10, -5),
    ("-5% to 0%", -5, 0),
    ("0% to 5%", 0, 5),
    ("5% to 10%", 5, 10),
    ("10% to 20%", 10, 20),
    ("20% and up", 20, None),
)


def recent_batches(
    dbsession: Session, data_set_id: int, batch_type: str, limit: int = 20, before: int = 0
) -> list[Batch]:
    """The data set's batches of this type, newest first (``before``: those made before
    that batch); a deleted batch is gone."""
    return list(
        dbsession.scalars(
            select(Batch)
            .where(
                Batch.data_set_id == data_set_id,
                Batch.batch_type == batch_type,
                Batch.deleted_at.is_(None),
                Batch.id < before if before else true(),
            )
            .order_by(Batch.id.desc())
            .limit(limit)
        )
    )


def latest_batch(dbsession: Session, data_set_id: int, batch_type: str) -> Batch | None:
    """The data set's newest batch of this type that was not deleted."""
    found = recent_batches(dbsession, data_set_id, batch_type, limit=1)
    return found[0] if found else None


def catalog_rows(batch_id: int) -> Select[Any]:
    """A catalog batch's rows for the review grid (and its downloads)."""
    return select(
        R.id,
        R.line,
        R.upc_text.label("upc"),
        R.vendor_item_code,
        R.description,
        R.status,
        R.flagged,
        R.old_case_size,
        R.case_size,
        R.old_unit_cost,
        R.unit_cost,
        R.cost_change,
        R.cost_change_percent,
        R.message,
        R.product_id,  # the product the row matched, if any: its UPC links to its page
        R.upc.label("product_upc"),
    ).where(R.batch_id == batch_id)


def status_counts(batch: Batch) -> list[tuple[str, int]]:
    """(label, rows) for each status with rows, as populate counted them."""
    counts = batch.status_counts or {}
    return [(label, counts[key]) for key, label in STATUS_LABELS.items() if counts.get(key)]


def cost_change_distribution(dbsession: Session, batch_id: int) -> list[tuple[str, int]]:
    """How many rows' unit cost changes by how much (rows with a change only)."""
    percent = R.cost_change_percent
    conditions = []
    for index, (_, low, high) in enumerate(CHANGE_BUCKETS):
        if low is None:
            conditions.append((percent < high, index))
        elif high is None:
            conditions.append((percent >= low, index))
        else:
            conditions.append(((percent >= low) & (percent < high), index))
    bucket = case(*conditions).label("bucket")
    rows = dbsession.execute(
        select(bucket, func.count())
        .where(R.batch_id == batch_id, R.status.in_(("cost_up", "cost_down")))
        .group_by(bucket)
    )
    found: dict[int, int] = {index: count for index, count in rows.all()}  # noqa: C416
    return [(label, found.get(index, 0)) for index, (label, _, _) in enumerate(CHANGE_BUCKETS)]


def batch_exports(dbsession: Session, batch_id: int) -> list[Export]:
    return list(
        dbsession.scalars(select(Export).where(Export.batch_id == batch_id).order_by(Export.id))
    )


def batch_report(dbsession: Session, batch_id: int) -> Export | None:
    """The batch's change report: the export recorded with it, once it is written."""
    return dbsession.scalars(
        select(Export).where(Export.batch_id == batch_id).order_by(Export.id).limit(1)
    ).first()


def due_batches(dbsession: Session, on: date) -> list[Batch]:
    """Batches scheduled for ``on`` or earlier, earliest first: the scheduler's work."""
    return list(
        dbsession.scalars(
            select(Batch)
            .where(
                Batch.scheduled_for <= on,
                Batch.status != "executed",
                Batch.deleted_at.is_(None),
            )
            .order_by(Batch.scheduled_for, Batch.id)
        )
    )


def vendor_code_choices(dbsession: Session, data_set_id: int) -> list[tuple[str, str]]:
    """(code, "code: name") of each vendor, by code, as every vendor select shows them."""
    rows = dbsession.execute(
        select(Vendor.code, Vendor.name)
        .where(Vendor.data_set_id == data_set_id)
        .order_by(Vendor.code)
    )
    return [(code, f"{code}: {name}") for code, name in rows]


def vendor_id_by_code(dbsession: Session, data_set_id: int, code: str) -> int | None:
    return dbsession.scalar(
        select(Vendor.id).where(Vendor.data_set_id == data_set_id, Vendor.code == code)
    )
