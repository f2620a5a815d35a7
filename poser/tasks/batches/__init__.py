"""Batches: one handler per batch type, found by the type's name.

A batch type's module declares its handler with `register_batch_type` (a class
decorator), and the ``poser.tasks`` entry point group names that module
(`poser.tasks.plugins`): `get_handler` imports the group's modules at its first
look-up. The handlers (and with them SQLAlchemy and the ORM) are imported on that
first use, not with this package: the catalog reader's child process imports a module
of this package and needs none of them (importing them costs it about 0.5 s of a 4 s
start).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any, TypeVar

from poser.tasks.plugins import GROUP
from poser.utils.registry import Registry

if TYPE_CHECKING:
    from poser.tasks.batches.base import BatchError, BatchHandler

_LAZY = {
    "BatchError": "poser.tasks.batches.base",
    "BatchHandler": "poser.tasks.batches.base",
}

HandlerClass = TypeVar("HandlerClass", bound="type[BatchHandler]")


def _no_such_type(batch_type: str) -> Exception:
    from poser.tasks.batches.base import BatchError

    return BatchError(f"There is no batch type {batch_type!r}.")


_HANDLERS: Registry[BatchHandler] = Registry("batch type", GROUP, _no_such_type)


def register_batch_type(handler_class: HandlerClass) -> HandlerClass:
    """Class decorator: the handler of the batch type its ``batch_type`` names. A second
    handler for a taken name is refused (DuplicateNameError), and so is one that does
    not say which kind of data set it changes (``data_sets_of``: TypeError)."""
    if not isinstance(getattr(handler_class, "data_sets_of", None), str):
        raise TypeError(
            f"batch type {handler_class.batch_type!r}: set data_sets_of, the kind of data set"
            " (an Application's data_sets_of) whose data its batches change"
        )
    _HANDLERS.add(handler_class.batch_type, handler_class())
    return handler_class


def handlers() -> dict[str, BatchHandler]:
    """Every batch type's handler, by the type's name."""
    return {handler.batch_type: handler for handler in _HANDLERS}


def get_handler(batch_type: str) -> BatchHandler:
    """The handler of ``batch_type``; BatchError when no loaded module declares it."""
    return _HANDLERS.get(batch_type)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["BatchError", "BatchHandler", "get_handler", "handlers", "register_batch_type"]
