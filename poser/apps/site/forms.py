"""The one way a form is handled: re-render with 4xx on errors, 303 + flash on success."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import colander
import deform
from pyramid.csrf import get_csrf_token
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response


@colander.deferred
def _deferred_csrf_default(node: colander.SchemaNode, kw: dict[str, Any]) -> str:
    return get_csrf_token(kw["request"])


class CSRFSchema(colander.MappingSchema):
    """Base for every form schema: a hidden CSRF field. Pyramid checks its value."""

    csrf_token = colander.SchemaNode(
        colander.String(),
        widget=deform.widget.HiddenWidget(),
        default=_deferred_csrf_default,
        missing=colander.drop,
    )


class FormError(Exception):
    """Raised by a form's action for a problem only it can find (wrong password, a name
    already taken). The form is shown again with the message and the status."""

    def __init__(self, message: str, status: int = 400, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.headers = dict(headers or {})


def make_form(
    request: Request, schema: colander.Schema, buttons: tuple[Any, ...] = ("submit",), **kw: Any
) -> deform.Form:
    return deform.Form(schema.bind(request=request), buttons=buttons, **kw)


def handle_form(
    request: Request,
    form: deform.Form,
    on_success: Callable[[dict[str, Any]], Response | str | None],
    flash: str | None = None,
    keep_on_error: Callable[[dict[str, Any]], dict[str, Any]] = lambda values: values,
) -> dict[str, Any] | Response:
    """Validate ``request.POST`` with ``form`` and run ``on_success`` with the values.

    ``on_success`` returns a Response, a URL to redirect to, or None (back to this URL).
    ``keep_on_error`` chooses which values to show again after a FormError (never a
    password).
    """
    try:
        values = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        request.response.status_int = 400
        return {"form": failure.render()}
    try:
        outcome = on_success(values)
    except FormError as error:
        request.response.status_int = error.status
        request.response.headers.update(error.headers)
        return {"form": form.render(keep_on_error(values)), "error": error.message}
    if isinstance(outcome, Response):
        return outcome
    if flash:
        request.session.flash(flash, "success")
    return HTTPSeeOther(location=outcome or request.path_qs)
