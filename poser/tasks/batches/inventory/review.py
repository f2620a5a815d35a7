"""Leaving an inventory count's rows out of its apply, as a catalog's are (both through
poser/tasks/batches/exclusions.py): every flagged row, every row whose on-hand moved
since the count, lines by number (of one of its files, or of the lines typed in: a
count's lines come from several), or one row by its id (the review grid's edit); each
with a reason, kept with who gave it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from poser.models.orm import Batch, InventoryBatchRow, User
from poser.tasks.batches.base import BatchError
from poser.tasks.batches.exclusions import Exclusions, ReviewCounts, as_shown, clean_reason
from poser.tasks.batches.inventory.compare import COMPARED, mark_moved
from poser.tasks.sessions import session_of

R = InventoryBatchRow
__all__ = [
    "ReviewCounts",
    "as_shown",
    "exclude_flagged",
    "exclude_lines",
    "exclude_moved",
    "include_all",
    "include_rows",
    "review_counts",
    "set_exclusion",
    "sources",
]
#: The source that names the lines typed in (their file name is empty).
TYPED = ""


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
exclude_flagged = EXCLUSIONS.exclude_flagged
review_counts = EXCLUSIONS.counts


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


def sources(batch: Batch) -> list[str]:
    """The names of the files the count's lines come from, in the order they were
    added, then ``TYPED`` when lines were typed in."""
    names = [str(file.get("name", "")) for file in batch.parameters.get("files") or []]
    names = list(dict.fromkeys(name for name in names if name))
    return [*names, TYPED] if batch.parameters.get("typed") else names


def _of_source(batch: Batch, source: str | None) -> ColumnElement[bool]:
    """The rows of ``source`` (a file's name, or ``TYPED``): BatchError when the count
    has no such source, or has several and none is named."""
    known = sources(batch)
    if source is None and len(known) == 1:
        source = known[0]
    if source is None:
        raise BatchError("Say which file the lines are of: the count reads several.")
    if source == TYPED and source not in known:
        raise BatchError("The count has no typed lines.")
    if source not in known:
        raise BatchError(f"The count has no file {source}.")
    return R.file_name == source


def exclude_lines(
    batch: Batch, lines_text: str, user: User | None, reason: str | None, source: str | None
) -> int:
    """Leave out the rows of these lines of ``source`` (a file's name, or ``TYPED``;
    None when the count reads one); how many were."""
    EXCLUSIONS.reviewable(batch)
    return EXCLUSIONS.exclude_lines(batch, lines_text, user, reason, _of_source(batch, source))


def include_rows(batch: Batch, lines_text: str | None, source: str | None) -> int:
    """Put the excluded rows of these lines of ``source`` back (with no lines named,
    every excluded row)."""
    EXCLUSIONS.reviewable(batch)
    if not (lines_text or "").strip():
        return include_all(batch)
    return EXCLUSIONS.include_lines(batch, lines_text, _of_source(batch, source))
