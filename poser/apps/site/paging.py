"""The page a list's URL asks for (``?page=``), as a number every database can offset by."""

from __future__ import annotations

import re

from pyramid.request import Request

from poser.apps.widgets.grid_text import MAX_PAGE

_DIGITS = re.compile(r"[0-9]{1,20}\Z")


def page_number(request: Request, name: str = "page") -> int:
    """A whole number from 1 to MAX_PAGE: a larger one is MAX_PAGE (an OFFSET past what
    SQLite and PostgreSQL take made a 500), anything else the first page."""
    text = request.GET.get(name, "")
    if not _DIGITS.match(text):
        return 1
    return max(1, min(int(text), MAX_PAGE))
