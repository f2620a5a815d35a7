"""Batches: one handler per batch type, found by the type's name."""

from __future__ import annotations

from poser.tasks.batches.base import BatchError, BatchHandler
from poser.tasks.batches.catalog import CatalogHandler

HANDLERS: dict[str, BatchHandler] = {handler.batch_type: handler for handler in (CatalogHandler(),)}


def get_handler(batch_type: str) -> BatchHandler:
    try:
        return HANDLERS[batch_type]
    except KeyError:
        raise BatchError(f"There is no batch type {batch_type!r}.") from None


__all__ = ["HANDLERS", "BatchError", "BatchHandler", "CatalogHandler", "get_handler"]
