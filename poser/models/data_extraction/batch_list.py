"""Finding batches: the one the steps show, the list of a data set's batches, a batch
a form names, and the earlier batch of the same file. A deleted batch is found by none
of them: it keeps its row only so that its number is never another batch's."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from poser.models.orm import Batch

#: A batch still on its way to being applied: read, or being read.
UNDER_REVIEW = ("new", "populated")
#: The most batches the list shows, newest first.
LIST_LIMIT = 500


def _live(data_set_id: int, batch_type: str) -> Select[tuple[Batch]]:
    return select(Batch).where(
        Batch.data_set_id == data_set_id,
        Batch.batch_type == batch_type,
        Batch.deleted_at.is_(None),
    )


def live_batch(
    dbsession: Session, data_set_id: int, batch_type: str, batch_id: int
) -> Batch | None:
    """The data set's batch of this type with this id, unless it was deleted."""
    return dbsession.scalar(_live(data_set_id, batch_type).where(Batch.id == batch_id))


def current_batch_of(dbsession: Session, data_set_id: int, batch_type: str) -> Batch | None:
    """The batch the steps show: the newest, except that a file that could not be read
    does not hide the batch still under review before it (that one stays the batch to
    review and apply; the failed one is listed, with its reason, above it)."""
    newest = newest_batch(dbsession, data_set_id, batch_type)
    if newest is None or newest.status != "failed":
        return newest
    before = dbsession.scalar(
        _live(data_set_id, batch_type)
        .where(Batch.status != "failed")
        .order_by(Batch.id.desc())
        .limit(1)
    )
    return before if before is not None and before.status in UNDER_REVIEW else newest


def failed_since(
    dbsession: Session, data_set_id: int, batch_type: str, batch_id: int
) -> list[Batch]:
    """The batches made after ``batch_id`` whose file could not be read, newest first."""
    return list(
        dbsession.scalars(
            _live(data_set_id, batch_type)
            .where(Batch.id > batch_id, Batch.status == "failed")
            .order_by(Batch.id.desc())
        )
    )


def newest_batch(dbsession: Session, data_set_id: int, batch_type: str) -> Batch | None:
    """The data set's newest batch of this type, whatever its status."""
    return dbsession.scalar(_live(data_set_id, batch_type).order_by(Batch.id.desc()).limit(1))


def listed_batches(
    dbsession: Session, data_set_id: int, batch_type: str, limit: int = LIST_LIMIT
) -> list[Batch]:
    """The data set's batches of this type, newest first, with who made and applied
    them."""
    return list(
        dbsession.scalars(
            _live(data_set_id, batch_type)
            .options(selectinload(Batch.created_by), selectinload(Batch.executed_by))
            .order_by(Batch.id.desc())
            .limit(limit)
        )
    )


def reverted_by(dbsession: Session, batches: list[Batch]) -> dict[int, int]:
    """Of these batches, the applied ones an applied revert undid: {batch id: the
    revert's id}."""
    ids = [batch.id for batch in batches if batch.status == "executed"]
    if not ids:
        return {}
    query = select(Batch.reverts_batch_id, Batch.id).where(
        Batch.reverts_batch_id.in_(ids), Batch.status == "executed"
    )
    return {int(original): revert for original, revert in dbsession.execute(query)}


def same_file_batch(
    dbsession: Session, data_set_id: int, batch_type: str, sha256: str, before: int | None = None
) -> Batch | None:
    """The newest batch (made before batch ``before``, when given) whose file had this
    sha256 digest (kept in its parameters when it was made)."""
    query = _live(data_set_id, batch_type).where(Batch.parameters["sha256"].as_string() == sha256)
    if before is not None:
        query = query.where(Batch.id < before)
    return dbsession.scalar(query.order_by(Batch.id.desc()).limit(1))
