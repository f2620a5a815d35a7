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
    case,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from poser.models.orm import Batch, DataSet, InventoryBatchRow, Job, Product, User
from poser.tasks.batches import revert as undoing
from poser.tasks.batches.base import BatchError
from poser.tasks.batches.inventory.compare import APPLIED
from poser.tasks.batches.revert import CONFIRM_FIELD
from poser.tasks.jobs import JobQueue
from poser.tasks.sessions import session_of

R = InventoryBatchRow
__all__ = ["CONFIRM_FIELD", "make_revert", "revert_batch", "why_not_revertible"]


def why_not_revertible(batch: Batch) -> str | None:
    """Why ``batch`` cannot be undone, for the operator; None when it can."""
    return undoing.why_not_revertible(batch, "inventory", "an inventory count", "count again")


def revert_batch(
    data_set: DataSet, posted: Mapping[str, Any], user: User | None, queue: JobQueue
) -> tuple[Batch, Job]:
    """Make the batch that undoes the count the form names and queue its apply
    (`poser.tasks.batches.revert`); BatchError, nothing done, when it cannot be undone."""
    return undoing.revert_batch(
        data_set, posted, user, queue, why_not=why_not_revertible, make_revert=make_revert
    )


def make_revert(original: Batch, user: User | None) -> Batch:
    """The batch that undoes ``original``, its rows ready to apply."""
    reason = why_not_revertible(original)
    if reason:
        raise BatchError(reason)
    session = session_of(original)
    parameters = original.parameters
    revert = undoing.start_revert(
        original,
        user,
        {
            "mode": "replace",
            "departments": parameters.get("departments", []),
            "department_ids": parameters.get("department_ids", []),
            "files": [],
            "typed": [],
        },
    )
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
    left = session.scalar(select(func.count()).where(R.batch_id == revert.id, R.excluded.is_(True)))
    return undoing.finish_revert(
        revert,
        left or 0,
        nothing=f"Batch #{original.id} changed no on-hand: there is nothing to undo.",
        all_left=f"The on-hand of every product batch #{original.id} changed has changed "
        "since, so nothing was reverted: each is left as it is.",
    )
