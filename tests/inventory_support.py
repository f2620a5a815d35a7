"""Counts for the inventory tests: on-hand set on the catalog's products, and a count
made from scanner texts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import Batch, InventoryBatchRow, Product
from poser.storage.interface import FileStore
from poser.tasks.batches import get_handler
from poser.tasks.batches.inventory.counting import add_file, make_count
from tests.catalog_support import upload_text

handler = get_handler("inventory")


def set_on_hand(dbsession: Session, store: dict[str, Any], **on_hand: str) -> None:
    for name, value in on_hand.items():
        store[name].on_hand = Decimal(value)
    dbsession.flush()


def count(
    store: dict[str, Any],
    files: FileStore,
    *texts: str | bytes | tuple[str, str | bytes, str],
    populate: bool = True,
    **options: Any,
) -> Batch:
    """A count of ``texts`` (each a file's text, or (name, text, unit)), read."""
    data_set = store["data_set"]
    batch = make_count(data_set, files, {"mode": "replace", **options}, None)
    for number, text in enumerate(texts, start=1):
        name, body, unit = text if isinstance(text, tuple) else (f"scan{number}.csv", text, "units")
        add_file(batch, files, upload_text(data_set, files, body, name), unit)
    if populate:
        handler.populate(batch, files)
    return batch


def rows(dbsession: Session, batch: Batch) -> list[InventoryBatchRow]:
    dbsession.flush()
    dbsession.expire_all()
    return list(
        dbsession.scalars(
            select(InventoryBatchRow)
            .where(InventoryBatchRow.batch_id == batch.id)
            .order_by(InventoryBatchRow.id)
        )
    )


def by_upc(dbsession: Session, batch: Batch) -> dict[str, InventoryBatchRow]:
    """The row that holds each product's count (merged lines left out)."""
    return {
        row.upc_text.lstrip("0"): row
        for row in rows(dbsession, batch)
        if row.status != "merged" and row.upc_text
    }


def on_hand(dbsession: Session, product: Product) -> Decimal:
    dbsession.flush()
    dbsession.expire(product)
    return product.on_hand
