"""One check of the text every request brings: no character that cannot be stored.

PostgreSQL's text cannot hold NUL, and the .xlsx files the site writes (exports, a
data set's workbook) cannot hold the other C0 control characters but tab, line feed and
carriage return. A request that brings one, in its address (path, query) or its form
(fields, a file's name), gets a 400 that says so; no view sees it. Views read request
text without checking it again.

The check is a view deriver: it runs for every view, after its permission and CSRF
checks, so a request that may not see a page learns nothing from it (and no form is
read for it), and before the view, so nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.request import Request

#: C0 control characters but tab, line feed and carriage return.
UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class UnstorableText(HTTPBadRequest):
    title = "Characters that cannot be saved"
    explanation = (
        "The address or the form holds a control character (such as NUL, often pasted "
        "by accident from another program), which cannot be saved. Remove it and try "
        "again."
    )


def has_unstorable(text: str) -> bool:
    return UNSTORABLE.search(text) is not None


def request_texts(request: Request) -> Iterable[str]:
    """Every text the request brings that a view may read or store."""
    yield request.path_info
    yield from (value for value in (request.matchdict or {}).values() if isinstance(value, str))
    try:
        query = list(request.GET.items())
    except UnicodeDecodeError:
        # Undecodable bytes are the view's to refuse or ignore (a grid ignores them); a
        # control character among them is still this check's.
        query = parse_qsl(request.query_string, keep_blank_values=True, errors="replace")
    for name, value in query:
        yield name
        yield value
    if request.method in ("POST", "PUT", "PATCH"):
        for name, value in request.POST.items():
            yield name
            if isinstance(value, str):
                yield value
            else:
                yield getattr(value, "filename", None) or ""


def check_request_text(request: Request) -> None:
    """Raises UnstorableText when the request brings a character that cannot be stored."""
    if any(has_unstorable(text) for text in request_texts(request)):
        raise UnstorableText()


def request_text_deriver(view: Callable[..., Any], info: Any) -> Callable[..., Any]:
    if info.exception_only:
        return view  # an error page shows whatever address it is about

    def checked_view(context: Any, request: Request) -> Any:
        check_request_text(request)
        return view(context, request)

    return checked_view


def includeme(config: Configurator) -> None:
    config.add_view_deriver(request_text_deriver, name="request_text")
