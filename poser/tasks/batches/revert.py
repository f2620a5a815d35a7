"""Undoing an applied batch, whatever its type: which batch the form names, whether it
can be undone, and the undoing batch made and queued to apply.

A type says how its batch is undone (``make_revert``: the new batch, named by
``reverts_batch_id``, its rows ready to apply) and in which words a batch that undoes
another is done again (``again``); the rest is the same for every type: the form names
the batch and the version its page showed, the operator ticks a box naming the batch,
and of two reverts at once the second finds the original's version moved on and makes
nothing. The new batch is applied by the execute job like any batch of its type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from poser.models.orm import Batch, DataSet, Job, User
from poser.tasks import jobs
from poser.tasks.batches import get_handler
from poser.tasks.batches import jobs as batch_jobs
from poser.tasks.batches.base import BatchError, moved_on
from poser.tasks.batches.requests import BATCH_FIELD, VERSION_FIELD
from poser.tasks.jobs import JobQueue
from poser.tasks.sessions import session_of
from poser.utils.timeutil import utcnow

#: The Revert form's box: it names the batch it undoes.
CONFIRM_FIELD = "confirm_revert"

MakeRevert = Callable[[Batch, User | None], Batch]
WhyNot = Callable[[Batch], str | None]


def reverts_of(session: Session, batch: Batch) -> list[Batch]:
    """The batches, not deleted, that undo ``batch``, newest first."""
    return list(
        session.scalars(
            select(Batch)
            .where(Batch.reverts_batch_id == batch.id, Batch.deleted_at.is_(None))
            .order_by(Batch.id.desc())
        )
    )


def why_not_revertible(batch: Batch, batch_type: str, kind: str, again: str) -> str | None:
    """Why ``batch`` cannot be undone, for the operator; None when it can. ``kind``
    names a batch of ``batch_type`` ("a vendor catalog"); ``again`` says how to have a
    reverted one's changes again ("upload that catalog again")."""
    if batch.batch_type != batch_type:
        return f"Only {kind} can be reverted here."
    if batch.deleted_at is not None:
        return f"Batch #{batch.id} was deleted: it changed nothing, so there is nothing to undo."
    if batch.status != "executed":
        return f"Batch #{batch.id} has not been applied: there is nothing to undo."
    if batch.reverts_batch_id is not None:
        return (
            f"Batch #{batch.id} undoes batch #{batch.reverts_batch_id}: to have those "
            f"changes again, {again}."
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
    data_set: DataSet,
    posted: Mapping[str, Any],
    user: User | None,
    queue: JobQueue,
    *,
    why_not: WhyNot,
    make_revert: MakeRevert,
) -> tuple[Batch, Job]:
    """Make the batch that undoes the one the form names (at the version its page
    showed, with the revert confirmed) and queue its apply; BatchError, nothing done,
    when it cannot be undone."""
    session = session_of(data_set)
    original = _posted(data_set, posted, why_not)
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


def start_revert(original: Batch, user: User | None, parameters: dict[str, Any]) -> Batch:
    """The batch that undoes ``original``, of its type, with ``parameters``, saved and
    as yet without rows: the type's ``make_revert`` writes them, then `finish_revert`."""
    revert = Batch(
        data_set_id=original.data_set_id,
        batch_type=original.batch_type,
        status="populated",
        description=f"Revert of batch #{original.id}"[:255],
        parameters=parameters,
        created_by_id=user.id if user else None,
        reverts_batch_id=original.id,
        populated_at=utcnow(),
    )
    session = session_of(original)
    session.add(revert)
    session.flush()
    return revert


def finish_revert(revert: Batch, left_alone: int, nothing: str, all_left: str) -> Batch:
    """Count ``revert``'s rows by status; BatchError (``nothing``) when it has none, or
    (``all_left``) when each of them is left alone because its product changed since."""
    revert.status_counts = get_handler(revert.batch_type).count_statuses(revert)
    revert.row_count = sum(revert.status_counts.values())
    if revert.row_count == 0:
        raise BatchError(nothing)
    if left_alone == revert.row_count:
        raise BatchError(all_left)
    session_of(revert).flush()
    return revert


def _posted(data_set: DataSet, posted: Mapping[str, Any], why_not: WhyNot) -> Batch:
    try:
        batch_id, version = int(posted[BATCH_FIELD]), int(posted[VERSION_FIELD])
    except (KeyError, TypeError, ValueError):
        raise BatchError(
            "This form does not say which batch to revert, so nothing was done: reload "
            "the page and try again."
        ) from None
    batch = session_of(data_set).get(Batch, batch_id)
    if batch is None or batch.data_set_id != data_set.id:
        raise BatchError(f"There is no batch #{batch_id} in this data set.")
    reason = why_not(batch)
    if reason:
        raise BatchError(reason)
    if batch.version != version:
        raise BatchError(
            f"Batch #{batch.id} changed since this page showed it, so nothing was done: "
            "look at it again."
        )
    return batch
