"""Ids in URLs: the ``ids`` route predicate.

A route whose pattern holds ids (``/jobs/{job_id}``) names them:
``config.add_route("job", "/jobs/{job_id}", factory=job_factory, ids=("job_id",))``.
The route then matches only when each is a whole number an id column can hold, and its
factory and views read it from ``request.matchdict`` as an int. Anything else (letters,
``-1``, ``2147483648``, a hundred digits) matches no route: a 404, before any factory
runs or the database is asked, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request

#: The largest id there is: ids are INTEGER columns (32 bits on PostgreSQL, which
#: refuses a larger number in a comparison with one).
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}\Z")


def parse_id(value: Any) -> int | None:
    """``value`` (a URL's text) as an id, or None when no row can have it."""
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.match(value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


class IdsPredicate:
    """Matches when each named part of the URL is an id; makes it an int in the match."""

    def __init__(self, names: str | Iterable[str], config: Configurator) -> None:
        self.names = (names,) if isinstance(names, str) else tuple(names)
        if not self.names:
            raise ValueError("ids: name the parts of the pattern that are ids")

    def text(self) -> str:
        return f"ids = {', '.join(self.names)}"

    phash = text

    def __call__(self, info: dict[str, Any], request: Request) -> bool:
        match = info["match"]
        numbers = {name: parse_id(match.get(name)) for name in self.names}
        if None in numbers.values():
            return False
        match.update(numbers)
        return True


def includeme(config: Configurator) -> None:
    config.add_route_predicate("ids", IdsPredicate)
