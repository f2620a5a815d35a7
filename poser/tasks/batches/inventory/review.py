"""Leaving an inventory count's rows out of its apply, as a catalog's are (both through
poser/tasks/batches/exclusions.py): every flagged row, every row whose on-hand moved
since the count, or one row by its id (the review grid's edit); each with a reason,
kept with who gave it. Lines are named by row, not by line number: a count's lines come
from several files.
"""

from __future__ import annotations

from sqlalchemy import true

from poser.models.orm import Batch, InventoryBatchRow, User
from poser.tasks.batches.base import BatchError
from poser.tasks.batches.exclusions import Exclusions, as_shown, clean_reason
from poser.tasks.batches.inventory.compare import COMPARED, mark_moved
from poser.tasks.sessions import session_of

R = InventoryBatchRow
__all__ = ["as_shown", "exclude_flagged", "exclude_moved", "include_all", "set_exclusion"]


EXCLUSIONS = Exclusions(
    rows=R,
    batch_type="inventory",
    kind="an inventory count",
    applied=COMPARED,
    not_applied=(
        "Only a row that would change on-hand (or compares with it) can be left out: "
        "rows in error are skipped, merged lines go with their first line."
    ),
)
_reviewable = EXCLUSIONS.reviewable
_exclude = EXCLUSIONS.exclude
set_exclusion = EXCLUSIONS.set_exclusion


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
    return EXCLUSIONS.include(batch, None, "No row is left out: nothing changed.")
