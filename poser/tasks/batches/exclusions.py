"""Leaving a batch's rows out of its apply, whatever its type: with a reason kept with
who gave it, and put back. Each change moves the batch's version on, so an Apply form
that showed the batch before is refused; ``as_shown`` refuses a change to a batch that
another request changed first.

A type's row table has ``batch_id``, ``status``, ``excluded``, ``excluded_by_id`` and
``exclude_reason``; its `Exclusions` names which statuses are applied (only those rows
can be left out) and, in words, what its batches are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, false, true, update
from sqlalchemy.orm.exc import StaleDataError

from poser.models.orm import Batch, User
from poser.tasks.batches.base import BatchError, moved_on
from poser.tasks.sessions import session_of

T = TypeVar("T")
MAX_REASON = 200


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
