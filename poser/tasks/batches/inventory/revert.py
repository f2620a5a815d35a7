"""Undoing an applied count, as a catalog is undone (poser/tasks/batches/catalog/revert.py):
a new batch (``reverts_batch_id`` names the original) with a row for each row the
original applied, its on-hand before the apply as the new one and what the apply wrote
as the one before; a row whose product's on-hand moved since the apply is in it,
excluded, with that reason, and left as it is. The new batch is applied by the execute
job like any count: once, all of it or nothing, logged on each product as made by it.

The values to put back come from the original's rows, not the change log, for the
catalog's reason: the rows are what the apply's own statements wrote, checked against
on-hand before it, and the log holds copies of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm.exc import StaleDataError

from poser.models.orm import Batch, DataSet, InventoryBatchRow, Job, Product, User
from poser.tasks import jobs
from poser.tasks.batches import get_handler
from poser.tasks.batches import jobs as batch_jobs
from poser.tasks.batches.base import BatchError, moved_on
from poser.tasks.batches.catalog.revert import CONFIRM_FIELD, reverts_of
from poser.tasks.batches.inventory.compare import APPLIED
from poser.tasks.batches.requests import BATCH_FIELD, VERSION_FIELD
from poser.tasks.jobs import JobQueue
from poser.tasks.sessions import session_of
from poser.utils.timeutil import utcnow

R = InventoryBatchRow
__all__ = ["CONFIRM_FIELD", "make_revert", "revert_batch", "why_not_revertible"]


def why_not_revertible(batch: Batch) -> str | None:
    """Why ``batch`` cannot be undone, for the operator; None when it can."""
    if batch.batch_type != "inventory":
        return "Only an inventory count can be reverted here."
    if batch.deleted_at is not None:
        return f"Batch #{batch.id} was deleted: it changed nothing, so there is nothing to undo."
    if batch.status != "executed":
        return f"Batch #{batch.id} has not been applied: there is nothing to undo."
    if batch.reverts_batch_id is not None:
        return (
            f"Batch #{batch.id} undoes batch #{batch.reverts_batch_id}: to have those "
            "counts again, count again."
        )
    for revert in reverts_of(session_of(batch), batch):
        if revert.status == "executed":
            return f"Batch #{batch.id} was already reverted, by batch #{revert.id}."
        return (
            f"Batch #{revert.id}, which reverts batch #{batch.id}, has not been applied yet: "
            "apply it, or delete it and revert again."
        )
    return None


def revert_batch(
    data_set: DataSet, posted: Mapping[str, Any], user: User | None, queue: JobQueue
) -> tuple[Batch, Job]:
    """Make the batch that undoes the count the form names (at the version its page
    showed, with the revert confirmed) and queue its apply; BatchError, nothing done,
    when it cannot be undone."""
    session = session_of(data_set)
    try:
        batch_id, version = int(posted[BATCH_FIELD]), int(posted[VERSION_FIELD])
    except (KeyError, TypeError, ValueError):
        raise BatchError(
            "This form does not say which batch to revert, so nothing was done: reload "
            "the page and try again."
        ) from None
    original = session.get(Batch, batch_id)
    if original is None or original.data_set_id != data_set.id:
        raise BatchError(f"There is no batch #{batch_id} in this data set.")
    reason = why_not_revertible(original)
    if reason:
        raise BatchError(reason)
    if original.version != version:
        raise BatchError(
            f"Batch #{original.id} changed since this page showed it, so nothing was done: "
            "look at it again."
        )
    if str(posted.get(CONFIRM_FIELD) or "") != str(original.id):
        raise BatchError(
            f"Nothing was reverted: tick the box that confirms undoing batch #{original.id}."
        )
    try:
        with session.begin_nested():
            moved_on(original)  # two reverts at once: the second one's version is stale
            session.flush()
            revert = make_revert(original, user)
    except StaleDataError:
        session.expire(original)
        raise BatchError(
            f"Batch #{original.id} changed while this was asked (someone reverted it?): "
            "look at it again."
        ) from None
    job = jobs.submit(
        session,
        queue,
        batch_jobs.execute,
        data_set=data_set,
        user=user,
        parameters={
            "batch_id": revert.id,
            "batch_version": revert.version,
            "user_id": user.id if user else None,
        },
    )
    return revert, job


def make_revert(original: Batch, user: User | None) -> Batch:
    """The batch that undoes ``original``, its rows ready to apply."""
    reason = why_not_revertible(original)
    if reason:
        raise BatchError(reason)
    session = session_of(original)
    handler = get_handler("inventory")
    parameters = original.parameters
    revert = Batch(
        data_set_id=original.data_set_id,
        batch_type="inventory",
        status="populated",
        description=f"Revert of batch #{original.id}"[:255],
        parameters={
            "mode": "replace",
            "departments": parameters.get("departments", []),
            "department_ids": parameters.get("department_ids", []),
            "files": [],
            "typed": [],
        },
        created_by_id=user.id if user else None,
        reverts_batch_id=original.id,
        populated_at=utcnow(),
    )
    session.add(revert)
    session.flush()
    o = R.__table__.alias("original")
    values = {
        "data_set_id": o.c.data_set_id,
        "batch_id": literal(revert.id, Integer),
        "line": o.c.line,
        "file_name": o.c.file_name,
        "upc_text": o.c.upc_text,
        "upc": o.c.upc,
        "product_id": o.c.product_id,
        "department_id": o.c.department_id,
        "section": o.c.section,
        "unit": literal("units", String),
        "counted_units": o.c.on_hand_before,
        "on_hand_before": o.c.new_on_hand,
        "new_on_hand": o.c.on_hand_before,
        "unit_cost": o.c.unit_cost,
        "unit_price": o.c.unit_price,
        "variance_units": -o.c.variance_units,
        "variance_percent": literal(None),
        "variance_cost": -o.c.variance_cost,
        "variance_retail": -o.c.variance_retail,
        "status": case((o.c.variance_units < 0, "increase"), else_="decrease"),
        "flagged": false(),
        "message": literal(f"Undoes batch #{original.id}", String),
    }
    rows = select(*values.values()).where(
        o.c.batch_id == original.id,
        o.c.excluded == false(),
        o.c.status.in_(APPLIED),
        o.c.product_id.is_not(None),
    )
    session.execute(insert(R).from_select(list(values), rows))
    moved = select(Product.id).where(
        Product.id == R.product_id,
        func.abs(Product.on_hand - R.on_hand_before) <= 0.0005,
    )
    session.execute(
        update(R)
        .where(R.batch_id == revert.id, or_(R.product_id.is_(None), ~moved.exists()))
        .values(
            excluded=True,
            excluded_by_id=user.id if user else None,
            exclude_reason=f"On-hand changed since batch #{original.id} was applied: left as it is",
        )
        .execution_options(synchronize_session=False)
    )
    revert.status_counts = handler.count_statuses(revert)
    revert.row_count = sum(revert.status_counts.values())
    if revert.row_count == 0:
        raise BatchError(f"Batch #{original.id} changed no on-hand: there is nothing to undo.")
    left = session.scalar(
        select(func.count()).where(R.batch_id == revert.id, and_(R.excluded.is_(True)))
    )
    if left == revert.row_count:
        raise BatchError(
            f"The on-hand of every product batch #{original.id} changed has changed since, so "
            "nothing was reverted: each is left as it is."
        )
    session.flush()
    return revert
