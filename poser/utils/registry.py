"""Named things of one sort (job kinds, batch types, data set formats), each declared
once by the module that defines it, and the entry points through which an installed
package names such modules.

A module declares what it adds as it is imported (a decorator or a register call) and
a `Registry` refuses a second, different thing under a name already taken. A registry
that belongs to an entry point group imports the modules of that group, from every
installed distribution, the first time anyone looks something up: a process finds
what the installed packages declare without a list of modules of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

T = TypeVar("T")

#: The groups whose modules this process has imported (or is importing).
_LOADED: set[str] = set()


class DuplicateNameError(ValueError):
    """A second, different thing declared under a name already taken."""


def group_entry_points(group: str) -> dict[str, EntryPoint]:
    """The installed entry points of ``group`` by name; a name two packages give to
    different modules is refused: which one was meant cannot be told."""
    found: dict[str, EntryPoint] = {}
    for entry in sorted(entry_points(group=group), key=lambda e: (e.name, e.value)):
        other = found.setdefault(entry.name, entry)
        if other.value != entry.value:
            raise DuplicateNameError(
                f"entry point group {group!r}: {entry.name!r} names both {other.value!r} "
                f"and {entry.value!r}; one of the installed packages must rename its own"
            )
    return found


def load_group(group: str) -> list[str]:
    """Import the modules that ``group``'s entry points name (once a process); returns
    the entry points' names.

    The group counts as loaded from the start of its first load on: a module that looks
    something up as it is imported does not start the load again. A load that fails
    leaves it unloaded, so that the next look-up raises the same error again."""
    if group in _LOADED:
        return []
    _LOADED.add(group)
    try:
        found = group_entry_points(group)
        for entry in found.values():
            import_module(entry.value)
    except BaseException:
        _LOADED.discard(group)
        raise
    return sorted(found)


class Registry(Generic[T]):
    """Things of one sort by name.

    ``what`` names the sort in messages ("job kind"). ``group`` is the entry point group
    whose modules declare them: imported at the first look-up. ``missing(name)`` is the
    error a look-up of an unknown name raises (a LookupError unless it says);
    ``taken(name)`` the message that refuses a second thing under a name.
    """

    def __init__(
        self,
        what: str,
        group: str | None = None,
        missing: Callable[[str], Exception] | None = None,
        taken: Callable[[str], str] | None = None,
    ) -> None:
        self.what = what
        self.group = group
        self._missing = missing or (lambda name: LookupError(f"no {what} named {name!r}"))
        self._taken = taken or (lambda name: f"a {what} named {name!r} is registered already")
        self._items: dict[str, T] = {}

    def add(self, name: str, item: T) -> T:
        """Register ``item`` as ``name``; returns it. The same item again is no harm (its
        module imported twice); another under the same name is refused."""
        existing = self._items.get(name)
        if existing is not None and existing is not item and existing != item:
            raise DuplicateNameError(self._taken(name))
        self._items[name] = item
        return item

    def find(self, name: str) -> T | None:
        if self.group:
            load_group(self.group)
        return self._items.get(name)

    def get(self, name: str) -> T:
        item = self.find(name)
        if item is None:
            raise self._missing(name)
        return item

    def names(self) -> list[str]:
        if self.group:
            load_group(self.group)
        return sorted(self._items)

    def __iter__(self) -> Iterator[T]:
        """The registered things, in the order of their names."""
        return iter([self._items[name] for name in self.names()])

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.find(name) is not None
