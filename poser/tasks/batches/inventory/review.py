"""Leaving an inventory count's rows out of its apply, as a catalog's are
(poser/tasks/batches/catalog/review.py, whose reason rules and ``as_shown`` this
shares): every flagged row, every row whose on-hand moved since the count, or one row
by its id (the review grid's edit); each with a reason, kept with who gave it. Lines are
named by row, not by line number: a count's lines come from several files. Each change
moves the batch's version on, so an Apply form showing it before is refused.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true, update

from poser.models.orm import Batch, InventoryBatchRow, User
from poser.tasks.batches.base import BatchError, moved_on
from poser.tasks.batches.catalog.review import as_shown, clean_reason
from poser.tasks.batches.inventory.compare import COMPARED, mark_moved
from poser.tasks.sessions import session_of

R = InventoryBatchRow
__all__ = ["as_shown", "exclude_flagged", "exclude_moved", "include_all", "set_exclusion"]


def _reviewable(batch: Batch) -> None:
    if batch.batch_type != "inventory":
        raise BatchError("Only an inventory count's rows can be left out here.")
    if batch.status == "executed":
        raise BatchError(f"Batch #{batch.id} has been applied: what it applied is kept as it was.")
    if batch.status != "populated":
        raise BatchError(f"Batch #{batch.id} has no rows to review yet.")


def _exclude(batch: Batch, which: ColumnElement[bool], user: User | None, reason: str) -> int:
    session = session_of(batch)
    session.flush()
    result = session.execute(
        update(R)
        .where(R.batch_id == batch.id, R.status.in_(COMPARED), R.excluded == false(), which)
        .values(excluded=True, excluded_by_id=user.id if user else None, exclude_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        moved_on(batch)
        session.flush()
    return result.rowcount


def exclude_flagged(batch: Batch, user: User | None, reason: str | None) -> int:
    """Leave every flagged row still in the apply out of it; how many were."""
    _reviewable(batch)
    excluded = _exclude(batch, R.flagged == true(), user, clean_reason(reason))
    if not excluded:
        raise BatchError(f"Batch #{batch.id} has no flagged row left to exclude.")
    return excluded


def exclude_moved(batch: Batch, user: User | None, reason: str | None) -> int:
    """Leave out the rows whose product's on-hand moved since the count was read (as
    the apply would refuse them); how many were."""
    _reviewable(batch)
    text = clean_reason(reason)
    mark_moved(session_of(batch).connection(), batch)
    excluded = _exclude(batch, R.moved_since.is_not(None), user, text)
    if not excluded:
        raise BatchError(f"No product of batch #{batch.id} moved since it was counted.")
    return excluded


def include_all(batch: Batch) -> int:
    """Put every excluded row back into the apply."""
    _reviewable(batch)
    session = session_of(batch)
    result = session.execute(
        update(R)
        .where(R.batch_id == batch.id, R.excluded == true())
        .values(excluded=False, excluded_by_id=None, exclude_reason=None)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:
        raise BatchError("No row is left out: nothing changed.")
    moved_on(batch)
    session.flush()
    return result.rowcount


def set_exclusion(
    batch: Batch, row_id: int, excluded: bool, reason: str | None, user: User | None
) -> None:
    """One row, as the review grid's edit sets it: excluded with a reason, or included.
    ValueError (what the grid shows on the row) when it cannot be."""
    try:
        _reviewable(batch)
        row = session_of(batch).get(R, row_id)
        if row is None or row.batch_id != batch.id:
            raise BatchError("This row is not one of the batch's.")
        if not excluded:
            row.excluded, row.excluded_by_id, row.exclude_reason = False, None, None
        else:
            if row.status not in COMPARED:
                raise BatchError(
                    "Only a row that would change on-hand (or compares with it) can be left "
                    "out: rows in error are skipped, merged lines go with their first line."
                )
            row.excluded, row.exclude_reason = True, clean_reason(reason)
            row.excluded_by_id = user.id if user else None
    except BatchError as error:
        raise ValueError(str(error)) from None
    moved_on(batch)
    session_of(batch).flush()
