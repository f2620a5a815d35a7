"""Leaving a batch's rows out of its apply, whatever its type: with a reason kept with
who gave it, and put back. Each change moves the batch's version on, so an Apply form
that showed the batch before is refused; ``as_shown`` refuses a change to a batch that
another request changed first.

A type's row table has ``batch_id``, ``status``, ``excluded``, ``excluded_by_id`` and
``exclude_reason`` (and ``line`` and ``flagged``, for leaving out lines by number and
every flagged row); its `Exclusions` names which statuses are applied (only those rows
can be left out) and, in words, what its batches are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, case, false, func, select, true, update
from sqlalchemy.orm.exc import StaleDataError

from poser.models.orm import Batch, User
from poser.tasks.batches.base import BatchError, moved_on
from poser.tasks.sessions import session_of

T = TypeVar("T")
MAX_REASON = 200
#: The most lines one form names at once.
MAX_LINES = 1_000
#: Beyond any file's lines, and beyond what the databases' integers hold.
MAX_LINE = 100_000_000


@dataclass(frozen=True)
class ReviewCounts:
    """What the operator has left out, and the flagged rows still to be applied."""

    flagged: int
    flagged_included: int
    excluded: int
    #: (reason, rows), the most frequent first.
    reasons: list[tuple[str, int]]


def parse_lines(text: str | None) -> list[int]:
    """ "12, 40-45" -> the lines 12 and 40 to 45. BatchError for anything else."""
    lines: set[int] = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        low, dash, high = (piece.strip() for piece in part.partition("-"))
        try:
            first, last = int(low), int(high) if dash else int(low)
        except ValueError:
            raise BatchError(f"{part!r} is not a line number: give lines as 12, 40-45.") from None
        if last > MAX_LINE:
            raise BatchError(f"{part!r}: the file has no such line.")
        if first < 1 or last < first:
            raise BatchError(f"{part!r}: give a range from the lower line to the higher.")
        if last - first + len(lines) >= MAX_LINES:
            raise BatchError(f"Name at most {MAX_LINES:,} lines at once.")
        lines.update(range(first, last + 1))
    if not lines:
        raise BatchError("Name the lines to leave out, e.g. 12, 40-45.")
    return sorted(lines)


def clean_reason(reason: str | None) -> str:
    """The reason as kept; BatchError when there is none or it is too long."""
    text = " ".join((reason or "").split())
    if not text:
        raise BatchError("Say why these rows are left out: the reason is kept with them.")
    if len(text) > MAX_REASON:
        raise BatchError(f"The reason is {len(text)} characters; keep it to {MAX_REASON}.")
    return text


def as_shown(batch: Batch, change: Callable[[Batch], T]) -> T:
    """``change(batch)``, in a savepoint flushed at its end: if another request changed
    the batch first, its version check fails and the change is undone, refused."""
    session = session_of(batch)
    try:
        with session.begin_nested():
            outcome = change(batch)
            session.flush()
    except StaleDataError:
        session.expire(batch)
        raise BatchError(
            f"Batch #{batch.id} changed since this page showed it, so nothing was done: "
            "look at it again."
        ) from None
    return outcome


@dataclass(frozen=True)
class Exclusions:
    rows: Any  # the type's row model
    batch_type: str
    #: What its batches are, for a refusal: "a vendor catalog".
    kind: str
    #: The statuses of the rows that are applied: only those can be left out.
    applied: tuple[str, ...]
    #: Why a row of another status cannot be left out.
    not_applied: str

    def reviewable(self, batch: Batch) -> None:
        """BatchError unless ``batch`` is of this type and read, not applied."""
        if batch.batch_type != self.batch_type:
            raise BatchError(f"Only the rows of {self.kind} can be left out here.")
        if batch.status == "executed":
            raise BatchError(
                f"Batch #{batch.id} has been applied: what it applied is kept as it was."
            )
        if batch.status != "populated":
            raise BatchError(f"Batch #{batch.id} has no rows to review yet.")

    def exclude(
        self, batch: Batch, which: ColumnElement[bool], user: User | None, reason: str
    ) -> int:
        """Leave the applied rows ``which`` picks out, with ``reason``; how many were."""
        rows = self.rows
        session = session_of(batch)
        session.flush()
        result = session.execute(
            update(rows)
            .where(
                rows.batch_id == batch.id,
                rows.status.in_(self.applied),
                rows.excluded == false(),
                which,
            )
            .values(excluded=True, excluded_by_id=user.id if user else None, exclude_reason=reason)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:
            moved_on(batch)
            session.flush()
        return result.rowcount

    def include(self, batch: Batch, which: ColumnElement[bool] | None, nothing: str) -> int:
        """Put the excluded rows ``which`` picks (None: every one) back; BatchError
        ``nothing`` when none was excluded."""
        rows = self.rows
        session = session_of(batch)
        result = session.execute(
            update(rows)
            .where(
                rows.batch_id == batch.id,
                rows.excluded == true(),
                true() if which is None else which,
            )
            .values(excluded=False, excluded_by_id=None, exclude_reason=None)
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:
            raise BatchError(nothing)
        moved_on(batch)
        session.flush()
        return result.rowcount

    def exclude_flagged(self, batch: Batch, user: User | None, reason: str | None) -> int:
        """Leave every flagged row still in the apply out of it; how many were."""
        self.reviewable(batch)
        excluded = self.exclude(batch, self.rows.flagged == true(), user, clean_reason(reason))
        if not excluded:
            raise BatchError(f"Batch #{batch.id} has no flagged row left to exclude.")
        return excluded

    def exclude_lines(
        self,
        batch: Batch,
        lines_text: str,
        user: User | None,
        reason: str | None,
        where: ColumnElement[bool] | None = None,
    ) -> int:
        """Leave the rows of these lines (of the file ``where`` picks, when the rows
        come from several) out of the apply; how many were."""
        self.reviewable(batch)
        text = clean_reason(reason)
        which = self.rows.line.in_(parse_lines(lines_text))
        excluded = self.exclude(batch, which if where is None else which & where, user, text)
        if not excluded:
            raise BatchError(
                "None of those lines is a row that would be applied (rows in error are "
                "skipped anyway, and excluded rows stay excluded): nothing changed."
            )
        return excluded

    def include_lines(
        self, batch: Batch, lines_text: str | None, where: ColumnElement[bool] | None = None
    ) -> int:
        """Put excluded rows back into the apply: those of these lines (of the file
        ``where`` picks), or, with no lines named, every one."""
        self.reviewable(batch)
        which = None
        if (lines_text or "").strip():
            which = self.rows.line.in_(parse_lines(lines_text))
            which = which if where is None else which & where
        return self.include(batch, which, "No excluded row matches: nothing changed.")

    def counts(self, batch: Batch) -> ReviewCounts:
        """Flagged rows (and how many of them are still in the apply) and the excluded
        rows by reason, in two grouped reads of the batch's rows."""
        rows = self.rows
        session = session_of(batch)
        flagged, flagged_included = session.execute(
            select(func.count(), func.count(case((rows.excluded == false(), 1)))).where(
                rows.batch_id == batch.id, rows.flagged == true(), rows.status.in_(self.applied)
            )
        ).one()
        reasons = [
            (reason or "no reason given", count)
            for reason, count in session.execute(
                select(rows.exclude_reason, func.count())
                .where(rows.batch_id == batch.id, rows.excluded == true())
                .group_by(rows.exclude_reason)
                .order_by(func.count().desc(), rows.exclude_reason)
            )
        ]
        return ReviewCounts(
            flagged=flagged,
            flagged_included=flagged_included,
            excluded=sum(count for _, count in reasons),
            reasons=reasons,
        )

    def set_exclusion(
        self,
        batch: Batch,
        row_id: int,
        excluded: bool | None,
        reason: str | None,
        user: User | None,
    ) -> None:
        """One row, as the review grid's edit sets it: excluded with a reason, or
        included; ``excluded`` None with a reason typed leaves it out. ValueError (what
        the grid shows on the row) when it cannot be."""
        try:
            self.reviewable(batch)
            row = session_of(batch).get(self.rows, row_id)
            if row is None or row.batch_id != batch.id:
                raise BatchError("This row is not one of the batch's.")
            if excluded is None:  # only the reason was typed: it says to leave the row out
                excluded = row.excluded or bool((reason or "").strip())
            if not excluded:
                row.excluded, row.excluded_by_id, row.exclude_reason = False, None, None
            else:
                if row.status not in self.applied:
                    raise BatchError(self.not_applied)
                text = clean_reason(reason)
                if not row.excluded or row.exclude_reason != text:
                    row.excluded, row.exclude_reason = True, text
                    row.excluded_by_id = user.id if user else None
        except BatchError as error:
            raise ValueError(str(error)) from None
        moved_on(batch)
        session_of(batch).flush()
