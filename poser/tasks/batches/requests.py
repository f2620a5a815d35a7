"""What a batch's forms ask of it (acknowledge, delete, apply now, schedule, unschedule),
decided here rather than on the page.

Each form names the batch and the version its page showed. It is refused, with a
BatchError for the operator and nothing changed, unless that batch is still the one
the steps show and has not changed since: an editor never applies, acknowledges or
deletes a batch that someone uploaded or changed while the page was open. The steps
show the data set's current batch of the type (`current_batch_of`), or the one the
operator opened from the list of batches (``opened``). The list's Delete names any
batch of the list, at the version the list showed. What a form does moves the version
on in turn, so the same form sent twice, or two sent at once, act once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from poser.models.data_extraction.batch_list import current_batch_of, live_batch
from poser.models.orm import Batch, DataSet, User
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.batches.base import early_until, moved_on, today
from poser.tasks.sessions import session_of

#: The form fields that name the batch a page showed.
BATCH_FIELD, VERSION_FIELD = "batch_id", "batch_version"
#: The field that confirms applying a batch before its effective date: it holds the date.
EARLY_FIELD = "apply_early"


def shown_fields(batch: Batch) -> dict[str, str]:
    """The hidden fields a form about ``batch`` sends back: the batch as it is shown."""
    return {BATCH_FIELD: str(batch.id), VERSION_FIELD: str(batch.version)}


def shown_batch(data_set: DataSet, batch_type: str, opened: int | None = None) -> Batch | None:
    """The batch the steps show: the one the operator opened from the list (``opened``)
    while it is not deleted, else the data set's current batch of this type."""
    session = session_of(data_set)
    found = live_batch(session, data_set.id, batch_type, opened) if opened is not None else None
    return found or current_batch_of(session, data_set.id, batch_type)


def _posted_id(posted: Mapping[str, Any]) -> tuple[int, int]:
    try:
        return int(posted[BATCH_FIELD]), int(posted[VERSION_FIELD])
    except (KeyError, TypeError, ValueError):
        raise BatchError(
            "This form does not say which batch it is for, so nothing was done: reload the "
            "page, look at the batch, and try again."
        ) from None


def posted_batch(
    data_set: DataSet, batch_type: str, posted: Mapping[str, Any], opened: int | None = None
) -> Batch:
    """The batch the form names, if it is the batch the steps show (``shown_batch``) at
    the version the page showed; BatchError otherwise."""
    batch_id, version = _posted_id(posted)
    current = shown_batch(data_set, batch_type, opened)
    if current is None or current.id != batch_id:
        now = f"batch #{current.id} is" if current else "there is none"
        raise BatchError(
            f"This page showed batch #{batch_id}, which is no longer the current batch "
            f"({now}), so nothing was done: look at the current batch first."
        )
    if current.version != version:
        raise BatchError(_changed(current))
    return current


def acknowledge(
    data_set: DataSet,
    batch_type: str,
    posted: Mapping[str, Any],
    user: User,
    opened: int | None = None,
) -> Batch:
    batch = posted_batch(data_set, batch_type, posted, opened)
    handler = get_handler(batch_type)
    if batch.status != "populated" or not handler.needs_acknowledgement(batch):
        raise BatchError(f"Batch #{batch.id} has no rows in error to acknowledge.")
    with _as_shown(batch):
        handler.acknowledge(batch, user)
    return batch


def listed_batch(data_set: DataSet, batch_type: str, posted: Mapping[str, Any]) -> Batch:
    """The batch a form of the list of batches names, at the version the list showed;
    BatchError when it was deleted or changed since."""
    batch_id, version = _posted_id(posted)
    batch = live_batch(session_of(data_set), data_set.id, batch_type, batch_id)
    if batch is None:
        raise BatchError(
            f"There is no batch #{batch_id} here any more (it was deleted), so nothing was done."
        )
    if batch.version != version:
        raise BatchError(_changed(batch))
    return batch


def delete(
    data_set: DataSet,
    batch_type: str,
    posted: Mapping[str, Any],
    user: User | None = None,
    *,
    opened: int | None = None,
    listed: bool = False,
) -> tuple[int, str]:
    """Delete the batch the form names (the batch the steps show, or with ``listed``
    any batch of the list); its id, and the folder of its files for the caller to
    remove once the deletion has committed."""
    if listed:
        batch = listed_batch(data_set, batch_type, posted)
    else:
        batch = posted_batch(data_set, batch_type, posted, opened)
    batch_id = batch.id
    with _as_shown(batch):
        folder = get_handler(batch_type).delete(batch, user)
    return batch_id, folder


def apply_now(
    data_set: DataSet,
    batch_type: str,
    posted: Mapping[str, Any],
    user: User | None,
    on: date | None = None,
    opened: int | None = None,
) -> dict[str, Any]:
    """The parameters of the job that applies the batch the form names, now.

    The batch must be ready to apply; one dated after ``on`` (default today) only if
    the form confirms applying it early by naming its date. A schedule it had is
    dropped: the apply is asked for now.
    """
    batch = posted_batch(data_set, batch_type, posted, opened)
    handler = get_handler(batch_type)
    reasons = handler.why_not_executable(batch)
    if reasons:
        raise BatchError("Not yet: " + " ".join(reasons))
    early = early_until(batch, on)
    if early is not None and posted.get(EARLY_FIELD) != early.isoformat():
        raise BatchError(
            f"Batch #{batch.id} takes effect on {early.isoformat()}, so nothing was "
            f"applied: to apply it now, before that date, tick the box that says so; or "
            f"have it applied on {early.isoformat()}."
        )
    with _as_shown(batch):
        if batch.scheduled_for is not None:
            handler.unschedule(batch)
        moved_on(batch)
    return {
        "batch_id": batch.id,
        "batch_version": batch.version,
        "user_id": user.id if user else None,
    }


def schedule(
    data_set: DataSet,
    batch_type: str,
    posted: Mapping[str, Any],
    user: User | None,
    step: str | None,
    on: date | None = None,
    opened: int | None = None,
) -> Batch:
    """Have the scheduler apply the batch the form names on its effective date."""
    batch = posted_batch(data_set, batch_type, posted, opened)
    if batch.scheduled_for is not None:
        raise BatchError(f"Batch #{batch.id} is already to be applied on {batch.scheduled_for}.")
    with _as_shown(batch):
        get_handler(batch_type).schedule(batch, user, step, on or today())
    return batch


def unschedule(
    data_set: DataSet, batch_type: str, posted: Mapping[str, Any], opened: int | None = None
) -> Batch:
    batch = posted_batch(data_set, batch_type, posted, opened)
    if batch.scheduled_for is None:
        raise BatchError(f"Batch #{batch.id} is not scheduled.")
    with _as_shown(batch):
        get_handler(batch_type).unschedule(batch)
    return batch


def _changed(batch: Batch) -> str:
    if batch.status == "executed":
        return f"Batch #{batch.id} has been applied since this page showed it."
    return (
        f"Batch #{batch.id} changed since this page showed it (its file was read again, "
        "or it was acknowledged, scheduled or sent to be applied), so nothing was done: "
        "look at it again."
    )


@contextmanager
def _as_shown(batch: Batch) -> Iterator[None]:
    """The change, flushed in a savepoint: if another request changed the batch first,
    its version check fails and this change is undone, refused with a message."""
    session = session_of(batch)
    try:
        with session.begin_nested():
            yield
            session.flush()
    except StaleDataError:
        session.expire(batch)
        raise BatchError(_changed(batch)) from None
