"""A product's change log, read for its page: every change, newest first, with who made
it, the vendor of a cost, and the type of the batch that made it and its line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from poser.models.orm import Batch, CatalogBatchRow, ProductChange, User, Vendor

#: How many changes a product's page shows at most (the newest).
TIMELINE_LIMIT = 200


@dataclass(frozen=True)
class TimelineEntry:
    change: ProductChange
    #: Who made it (their username); None for no one in particular (the scheduler).
    user: str | None
    vendor_code: str | None
    vendor_name: str | None
    #: The line of the batch's file that made it.
    batch_line: int | None
    #: The type of the batch that made it ("catalog", "inventory"), if a batch did.
    batch_type: str | None = None

    @property
    def at(self) -> datetime:
        return self.change.changed_at


def product_timeline(
    dbsession: Session,
    data_set_id: int,
    product_id: int,
    limit: int = TIMELINE_LIMIT,
    before: int | None = None,
) -> list[TimelineEntry]:
    """The product's changes, newest first (read from the product's index on the log);
    ``before``, a change's id: the ones older than it (a page further back). A change
    that is not this product's starts from the newest."""
    query = (
        select(
            ProductChange,
            User.username,
            Vendor.code,
            Vendor.name,
            CatalogBatchRow.line,
            Batch.batch_type,
        )
        .outerjoin(User, User.id == ProductChange.changed_by_id)
        .outerjoin(Batch, Batch.id == ProductChange.batch_id)
        .outerjoin(Vendor, Vendor.id == ProductChange.vendor_id)
        .outerjoin(
            CatalogBatchRow,
            (CatalogBatchRow.id == ProductChange.batch_row_id)
            & (CatalogBatchRow.batch_id == ProductChange.batch_id),
        )
        .where(
            ProductChange.product_id == product_id,
            ProductChange.data_set_id == data_set_id,
        )
        .order_by(ProductChange.changed_at.desc(), ProductChange.id.desc())
        .limit(limit)
    )
    if before is not None:
        at = dbsession.scalar(
            select(ProductChange.changed_at).where(
                ProductChange.id == before,
                ProductChange.product_id == product_id,
                ProductChange.data_set_id == data_set_id,
            )
        )
        if at is not None:
            order = tuple_(ProductChange.changed_at, ProductChange.id)
            query = query.where(order < tuple_(at, before))
    return [
        TimelineEntry(change, user, code, name, line, batch_type)
        for change, user, code, name, line, batch_type in dbsession.execute(query)
    ]
