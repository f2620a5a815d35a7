"""The one way a form is handled: post/redirect/get, for errors as for success.

Every form is a colander schema (based on CSRFSchema) bound to the request, in a
deform Form. ``handle_form`` validates the POST and runs the form's action:

- done: a 303 to the page the action names (or back), with a flash message;
- refused (a field does not validate, or the action raises FormError): nothing the
  action did is kept (it runs in a savepoint), and a 303 back to the page that shows
  the form. What was typed (never a password, never a file) and the messages are kept
  in the session for that page's next GET, where ``render_form`` shows them: each
  message next to its field, and the messages about no field shown (a hidden field's,
  a refusal of the whole form) as flash messages at the top. So the operator never
  stays on a POST address, which Reload would send again and Back would answer 405.

A FormError with a ``status`` shows the form again in the response itself, with that
status: for a client that reads it (login throttling's 429 and its Retry-After).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import colander
import deform
from markupsafe import Markup
from pyramid.csrf import get_csrf_token
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response

#: The session key of the form to show again: one at a time, JSON only.
STATE_KEY = "poser.form"
#: The longest text kept of a field: what is kept lives in the session.
KEPT_CHARACTERS = 10_000
#: Field errors and refusals are flashed in this queue (Bootstrap's alert-danger).
ERROR_QUEUE = "danger"


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


class PostedFile(colander.SchemaType):
    """A file field: the upload as the request holds it. The action reads it through
    ``poser.apps.site.uploads``, which checks its size and type."""

    def serialize(self, node: colander.SchemaNode, appstruct: Any) -> Any:
        return colander.null

    def deserialize(self, node: colander.SchemaNode, cstruct: Any) -> Any:
        if cstruct is colander.null:
            return colander.null
        if not hasattr(cstruct, "file"):
            raise colander.Invalid(node, "Choose a file to upload.")
        return cstruct


class FileInputWidget(deform.widget.TextInputWidget):
    """The browser's own file input (deform's FileUploadWidget keeps files between
    submissions; a refused file here is never kept)."""

    def __init__(self, accept: str = "", **kw: Any) -> None:
        attributes = {"type": "file", **({"accept": accept} if accept else {})}
        super().__init__(attributes={**attributes, **kw.pop("attributes", {})}, **kw)

    def deserialize(self, field: deform.Field, pstruct: Any) -> Any:
        return colander.null if pstruct in (colander.null, "", b"") else pstruct


def file_node(title: str, accept: str = "", **kw: Any) -> colander.SchemaNode:
    return colander.SchemaNode(
        PostedFile(),
        title=title,
        widget=FileInputWidget(accept=accept),
        missing_msg="Choose a file to upload.",
        **kw,
    )


class FormError(Exception):
    """Raised by a form's action for a problem only it can find (a wrong password, a
    name already taken): nothing the action did is kept, and the form comes back with
    the message, next to ``field`` when given. With ``status``, the form is shown again
    in this response, with that status and ``headers``, instead of a redirect."""

    def __init__(
        self,
        message: str,
        field: str | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.headers = dict(headers or {})


def make_form(
    request: Request,
    schema: colander.Schema,
    buttons: tuple[Any, ...] = ("submit",),
    name: str = "deform",
    **kw: Any,
) -> deform.Form:
    """The form of ``schema`` bound to the request. ``name`` is its id and its
    ``data-form``; ``kw`` go to deform.Form (``action``, ``css_class``, ``focus``).

    The fields of every form of a request are numbered in one sequence, so that their
    ids (which labels and messages point to) differ between the forms of a page.
    """
    counter = request.__dict__.setdefault("poser.form_fields", itertools.count())
    kw.setdefault("focus", "off")
    form = deform.Form(
        schema.bind(request=request), buttons=buttons, formid=name, counter=counter, **kw
    )
    form.widget = deform.widget.FormWidget(attributes={"data-form": name})
    return form


def button(name: str, title: str, css_class: str = "btn-primary") -> deform.Button:
    return deform.Button(name, title, css_class=css_class)


def render_form(
    request: Request, form: deform.Form, appstruct: Any = colander.null, **kw: Any
) -> Markup:
    """The form's HTML with ``appstruct``; when a POST of it was refused and sent the
    browser here, with what was typed in its fields and the messages next to them."""
    state = kept_for_page(request, form.formid)
    if state is not None:
        values, errors = state.get("values") or {}, state.get("errors") or {}
        return _render_again(form, appstruct, values, errors, **kw)
    return Markup(form.render(appstruct, **kw))  # noqa: S704 (deform escapes its values)


def keep_for_page(request: Request, key: str, back: str, state: dict[str, Any]) -> None:
    """Keep ``state`` (JSON) for the next GET of the page at ``back``, where the form
    ``key`` is shown again: one form's at a time."""
    request.session[STATE_KEY] = {**state, "form": key, "path": urlsplit(back).path}


def kept_for_page(request: Request, key: str) -> dict[str, Any] | None:
    """What ``keep_for_page`` kept for the form ``key`` on this page, taken (it is
    shown once); None when there is nothing."""
    state = request.session.get(STATE_KEY)
    if isinstance(state, dict) and state.get("form") == key and state.get("path") == request.path:
        del request.session[STATE_KEY]
        return state
    return None


Outcome = Response | str | None


def handle_form(
    request: Request,
    form: deform.Form,
    on_success: Callable[[dict[str, Any]], Outcome],
    *,
    back: str,
    flash: str | None = None,
    page: Callable[[Markup], Any] | None = None,
    atomic: bool = True,
) -> Any:
    """Validate the POST with ``form`` and run ``on_success`` with its values.

    ``back`` is the page that shows the form (a path): a refused form goes back there.
    ``on_success`` returns a Response, a path to redirect to, or None (``back``);
    ``flash`` is the message then. ``page(form_html)`` gives the view's result when a
    FormError with a status shows the form again in the response. With ``atomic``
    (the default) the action runs in a savepoint, rolled back when it refuses; an
    action that keeps its writes out of the request's transaction (logging in) says
    False.
    """
    try:
        values = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        return _refused(request, form, back, _error_messages(failure.error))
    savepoint = request.dbsession.begin_nested() if atomic else None
    try:
        outcome = on_success(values)
    except FormError as error:
        if savepoint is not None:
            savepoint.rollback()
        errors = {error.field or "": error.message}
        if error.status is None:
            return _refused(request, form, back, errors)
        return _shown_again(request, form, values, errors, error, page)
    if savepoint is not None and savepoint.is_active:
        savepoint.commit()
    request.session.pop(STATE_KEY, None)
    if isinstance(outcome, Response):
        return outcome
    if flash:
        request.session.flash(flash, "success")
    return HTTPSeeOther(location=outcome or back)


def _refused(
    request: Request, form: deform.Form, back: str, errors: dict[str, str]
) -> HTTPSeeOther:
    shown = _flash_unshown(request, form, errors)
    kept = _kept(form, request.POST)
    if shown or kept:
        keep_for_page(request, form.formid, back, {"values": kept, "errors": shown})
    else:
        request.session.pop(STATE_KEY, None)
    return HTTPSeeOther(location=back)


def _shown_again(
    request: Request,
    form: deform.Form,
    values: dict[str, Any],
    errors: dict[str, str],
    error: FormError,
    page: Callable[[Markup], Any] | None,
) -> Any:
    if page is None:
        raise ValueError("a FormError with a status needs the page to show the form on")
    shown = _flash_unshown(request, form, errors)
    request.response.status_int = error.status
    request.response.headers.update(error.headers)
    return page(_render_again(form, values, _kept(form, request.POST), shown))


def _flash_unshown(request: Request, form: deform.Form, errors: dict[str, str]) -> dict[str, str]:
    """The messages of shown fields; the others (a hidden field's, the form's own) are
    flashed, named by their field's title when it has one."""
    shown_fields = {child.name: child for child in form.children if not child.widget.hidden}
    shown = {}
    for name, message in errors.items():
        if name in shown_fields:
            shown[name] = message
            continue
        title = next((c.title for c in form.children if c.name == name and c.title), "")
        request.session.flash(f"{title}: {message}" if title else message, ERROR_QUEUE)
    return shown


def _error_messages(error: colander.Invalid) -> dict[str, str]:
    """Each top-level field's message ("" for the form's own)."""
    messages = {child.node.name: _text(child.messages()) for child in error.children}
    if error.msg:
        messages[""] = _text(error.messages())
    return messages


def _text(messages: list[Any]) -> str:
    """colander's messages as text: a TranslationString with its ${values} filled in."""
    return "; ".join(m.interpolate() if hasattr(m, "interpolate") else str(m) for m in messages)


def _kept(form: deform.Form, posted: Any) -> dict[str, str | list[str]]:
    """What was typed in the form's shown fields, to show again: text only, never a
    password (nor a file), each value cut to KEPT_CHARACTERS. Hidden fields are the
    page's own to fill again."""
    kept: dict[str, str | list[str]] = {}
    for child in _typed_fields(form):
        texts = [value[:KEPT_CHARACTERS] for value in posted.getall(child.name)
                 if isinstance(value, str)]  # fmt: skip
        if texts:
            kept[child.name] = texts[0] if len(texts) == 1 else texts
    return kept


def _typed_fields(form: deform.Form) -> list[deform.Field]:
    return [child for child in form.children if not (child.widget.hidden or _secret(child))]


def _secret(field: deform.Field) -> bool:
    widgets = (deform.widget.PasswordWidget, deform.widget.CheckedPasswordWidget, FileInputWidget)
    return isinstance(field.widget, widgets)


def _render_again(
    form: deform.Form,
    appstruct: Any,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    **kw: Any,
) -> Markup:
    """The form with ``appstruct`` (hidden fields, the CSRF token), what was typed in
    its fields (``values``), and ``errors`` next to their fields."""
    cstruct = dict(form.schema.serialize(appstruct))
    for child in form.children:
        if _secret(child):
            cstruct[child.name] = colander.null
    for child in _typed_fields(form):
        typed = values.get(child.name, colander.null)
        cstruct[child.name] = child.widget.deserialize(child, typed)
    form.cstruct = cstruct
    if errors:
        invalid = colander.Invalid(form.schema)
        for position, child in enumerate(form.children):
            if child.name in errors:
                invalid.add(colander.Invalid(child.schema, errors[child.name]), position)
        form.widget.handle_error(form, invalid)
    return Markup(form.render(**kw))  # noqa: S704 (deform escapes its values)
