"""Friendly error pages: no tracebacks unless the settings ask for them (development)."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from pyramid.config import Configurator
from pyramid.csrf import BadCSRFToken
from pyramid.httpexceptions import HTTPException, HTTPSeeOther
from pyramid.request import Request
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config
from pyramid_retry import is_error_retryable, is_last_attempt
from sqlalchemy.exc import OperationalError

from poser.models.engine import is_sqlite_busy
from poser.utils.settings import setting_bool

log = logging.getLogger(__name__)

TEMPLATE = "site/error.jinja2"


def _page(request: Request, status: int, title: str, message: str, **extra: Any) -> dict[str, Any]:
    request.response.status_int = status
    return {"status": status, "title": title, "message": message, **extra}


@notfound_view_config(renderer=TEMPLATE)
def not_found(exc: HTTPException, request: Request) -> dict[str, Any]:
    return _page(request, 404, "Not found", "There is nothing at this address.")


@forbidden_view_config(renderer=TEMPLATE)
def forbidden(exc: HTTPException, request: Request) -> Any:
    if request.identity is None:
        location = request.route_path("login", _query={"next": request.path_qs})
        if request.method == "GET" and not request.headers.get("HX-Request"):
            return HTTPSeeOther(location=location)
        # htmx follows redirects inside the fragment; tell it to go to the login page.
        response = request.response
        response.status_int = 401
        response.headers["HX-Redirect"] = location
        return _page(request, 401, "Please log in", "Your session has ended.", login=location)
    return _page(request, 403, "Forbidden", "You do not have permission to see this page.")


@exception_view_config(BadCSRFToken, renderer=TEMPLATE)
def bad_csrf(exc: BadCSRFToken, request: Request) -> dict[str, Any]:
    log.warning("CSRF check failed: %s %s", request.method, request.path)
    return _page(
        request,
        400,
        "Form expired",
        "This form was sent without a valid security token. Go back, reload the page "
        "and try again.",
    )


@exception_view_config(UnicodeDecodeError, renderer=TEMPLATE)
def undecodable(exc: UnicodeDecodeError, request: Request) -> dict[str, Any]:
    # WebOb decodes the query string and form as UTF-8 when a view first reads them.
    log.info("undecodable request data: %s %s", request.method, request.path)
    return _page(
        request, 400, "Bad request", "The address or form held characters that are not valid text."
    )


@exception_view_config(OperationalError, renderer=TEMPLATE)
def database_busy(exc: OperationalError, request: Request) -> dict[str, Any]:
    if not is_sqlite_busy(exc):
        return server_error(exc, request)
    if is_error_retryable(request, exc) and not is_last_attempt(request):
        # pyramid_retry runs the request again and drops this page: not an event.
        log.debug("database busy, running again: %s %s", request.method, request.path)
    else:
        log.warning("database busy: %s %s answered 503", request.method, request.path)
    request.response.headers["Retry-After"] = "5"
    return _page(
        request,
        503,
        "Busy",
        "The database is busy with other work (a long job may be writing). Nothing was "
        "saved by this request; try again in a few seconds.",
        minimal=True,
    )


@exception_view_config(HTTPException, renderer=TEMPLATE)
def http_error(exc: HTTPException, request: Request) -> Any:
    if exc.code is not None and exc.code < 400:
        return exc  # redirects raised by views pass through untouched
    return _page(request, exc.code or 500, exc.title, exc.explanation or exc.title)


@exception_view_config(Exception, renderer=TEMPLATE)
def server_error(exc: Exception, request: Request) -> dict[str, Any]:
    log.exception("error serving %s %s", request.method, request.path_qs)
    details = None
    if setting_bool(request.registry.settings, "poser.show_tracebacks"):
        details = "".join(traceback.format_exception(exc))
    return _page(
        request,
        500,
        "Something went wrong",
        "The error has been logged. Nothing was saved by this request; try again, and "
        "tell your administrator if it keeps happening.",
        details=details,
        minimal=True,
    )


def includeme(config: Configurator) -> None:
    config.scan(__name__)
