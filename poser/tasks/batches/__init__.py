"""Batches: one handler per batch type, found by the type's name.

The handlers (and with them SQLAlchemy and the ORM) are imported on first use, not
with the package: the catalog reader's child process imports a module of this package
and needs none of them, and importing them took it 0.5 s of a 4 s load.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from poser.tasks.batches.base import BatchError, BatchHandler
    from poser.tasks.batches.catalog.handler import CatalogHandler

_LAZY = {
    "BatchError": "poser.tasks.batches.base",
    "BatchHandler": "poser.tasks.batches.base",
    "CatalogHandler": "poser.tasks.batches.catalog.handler",
}


@cache
def handlers() -> dict[str, BatchHandler]:
    """Every batch type's handler, by the type's name."""
    from poser.tasks.batches.catalog.handler import CatalogHandler

    return {handler.batch_type: handler for handler in (CatalogHandler(),)}


def get_handler(batch_type: str) -> BatchHandler:
    from poser.tasks.batches.base import BatchError

    try:
        return handlers()[batch_type]
    except KeyError:
        raise BatchError(f"There is no batch type {batch_type!r}.") from None


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["BatchError", "BatchHandler", "CatalogHandler", "get_handler", "handlers"]
