"""A data set's settings: rename, copy, share, export, load from a workbook, delete.

Each is a form (``poser.apps.site.forms``): done, it goes on with a message; refused,
back to the settings page with the message next to its field, and nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import colander
import deform
from markupsafe import Markup
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.view import view_config

from poser.apps.framework.after_commit import remove_after_commit
from poser.apps.framework.workbook_upload import posted_workbook, start_import
from poser.apps.site.forms import (
    CSRFSchema,
    FormError,
    button,
    file_node,
    handle_form,
    make_form,
    render_form,
)
from poser.models.data_extraction.datasets import members
from poser.models.data_extraction.users import user_by_name
from poser.models.orm import MEMBER_ROLES, DataSet, User
from poser.tasks import jobs
from poser.tasks.datasets import (
    DataSetError,
    data_set_is_empty,
    delete_data_set,
    free_name,
    keeps_tables,
    name_taken,
    remove_member,
    rename_data_set,
    set_member,
)
from poser.tasks.datasets import jobs as data_set_jobs
from poser.tasks.job_kinds import Task
from poser.tasks.uploads import UploadError
from poser.tasks.users import normalize_username

TEMPLATE = "framework/data_set_settings.jinja2"


def _text(title: str, **kw: Any) -> colander.SchemaNode:
    """A text field; an empty one is the task's to refuse, in its own words."""
    return colander.SchemaNode(colander.String(), title=title, missing="", **kw)


def _export_schema(request: Request) -> CSRFSchema:
    return CSRFSchema()  # a button: the CSRF token alone


def _rename_schema(request: Request) -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(_text("New name", name="name", widget=_input(maxlength="200")))
    return schema


def _copy_schema(request: Request) -> CSRFSchema:
    schema = CSRFSchema()
    placeholder = f"Copy of {request.context.data_set.name}"
    widget = _input(maxlength="200", placeholder=placeholder)
    schema.add(_text("Name of the copy", name="name", widget=widget))
    return schema


def _share_schema(request: Request) -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(_text("Username", name="username", widget=_input(autocomplete="off")))
    roles = colander.OneOf(MEMBER_ROLES, msg_err="Choose one of the roles offered.")
    widget = deform.widget.SelectWidget(values=[(role, role) for role in MEMBER_ROLES])
    schema.add(
        colander.SchemaNode(
            colander.String(), name="role", title="Role", validator=roles, widget=widget,
            default="viewer",
        )
    )  # fmt: skip
    return schema


def _unshare_schema(request: Request) -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(_text("Username", name="username", widget=deform.widget.HiddenWidget()))
    return schema


def _delete_schema(request: Request) -> CSRFSchema:
    schema = CSRFSchema()
    title = f"Type “{request.context.data_set.name}” to confirm"
    schema.add(_text(title, name="confirm_name", widget=_input(autocomplete="off")))
    return schema


def _import_schema(request: Request) -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(file_node("Workbook exported from a data set (.xlsx)", accept=".xlsx", name="file"))
    return schema


def _input(**attributes: str) -> deform.widget.TextInputWidget:
    return deform.widget.TextInputWidget(attributes=attributes)


#: Each form: its schema, its route, and its button (title, style).
FORMS: dict[str, tuple[Callable[[Request], CSRFSchema], str, str, str]] = {
    "rename": (_rename_schema, "app_data_set_rename", "Rename", "btn-outline-primary"),
    "copy": (_copy_schema, "app_data_set_copy", "Copy", "btn-outline-primary"),
    "export": (_export_schema, "app_data_set_export", "Export to Excel (xlsx)",
               "btn-outline-secondary"),
    "import": (_import_schema, "app_data_set_import", "Load", "btn-outline-primary"),
    "share": (_share_schema, "app_data_set_share", "Share", "btn-outline-primary"),
    "unshare": (_unshare_schema, "app_data_set_unshare", "remove", "btn-link btn-sm p-0"),
    "delete": (_delete_schema, "app_data_set_delete", "Delete this data set and all its rows",
               "btn-danger"),
}  # fmt: skip


def _form(request: Request, name: str, formid: str = "") -> deform.Form:
    make_schema, route, title, style = FORMS[name]
    schema = make_schema(request)
    context = request.context
    action = request.route_path(
        route, app=context.application.url_name, data_set_id=context.data_set.id
    )
    return make_form(
        request, schema, (button("submit", title, style),), formid or name, action=action
    )


def _settings_url(request: Request) -> str:
    context = request.context
    return request.route_path(
        "app_data_set_settings",
        app=context.application.url_name,
        data_set_id=context.data_set.id,
    )


def _values(request: Request) -> dict[str, Any]:
    context = request.context
    may_edit = bool(request.has_permission("edit"))
    may_manage = bool(request.has_permission("manage"))
    # A workbook loads only into an empty data set (replacing rows is not offered), and
    # there is one only when the data set's Application declares tables.
    has_tables = keeps_tables(context.data_set)
    is_empty = data_set_is_empty(context.data_set)
    shown = {
        "rename": may_edit,
        "copy": True,
        "export": has_tables,
        "import": may_edit and has_tables and is_empty,
        "share": may_manage,
        "delete": may_manage,
    }
    current = {"rename": {"name": context.data_set.name}}
    forms = {
        name: render_form(request, _form(request, name), current.get(name, colander.null))
        for name, show in shown.items()
        if show
    }
    people = members(request.dbsession, context.data_set.id)
    return {
        "application": context.application,
        "data_set": context.data_set,
        "role": context.role,
        "members": [
            (username, role, _unshare_form(request, index, username) if may_manage else None)
            for index, (username, role) in enumerate(people)
        ],
        "forms": forms,
        "is_empty": is_empty,
    }


def _unshare_form(request: Request, index: int, username: str) -> Markup:
    form = _form(request, "unshare", f"unshare-{index}")
    return render_form(request, form, {"username": username}, css_class="m-0")


def _handle(request: Request, name: str, action: Callable[[dict[str, Any]], Any], **kw: Any) -> Any:
    return handle_form(request, _form(request, name), action, back=_settings_url(request), **kw)


@view_config(
    route_name="app_data_set_settings", renderer=TEMPLATE, request_method="GET", permission="view"
)
def settings_page(request: Request) -> dict[str, Any]:
    return _values(request)


@view_config(route_name="app_data_set_rename", request_method="POST", permission="edit")
def rename(request: Request) -> Any:
    def act(values: dict[str, Any]) -> None:
        try:
            rename_data_set(request.context.data_set, values["name"])
        except DataSetError as error:
            raise FormError(str(error), field="name") from error

    return _handle(request, "rename", act, flash="Renamed.")


@view_config(route_name="app_data_set_share", request_method="POST", permission="manage")
def share(request: Request) -> Any:
    def change(data_set: DataSet, user: User, values: dict[str, Any]) -> str:
        set_member(data_set, user, values["role"])
        return f"{user.username} is now {values['role']}."

    refusal = FormError("There is no active user with that name.", field="username")
    return _change_member(request, "share", change, refusal, active_only=True)


@view_config(route_name="app_data_set_unshare", request_method="POST", permission="manage")
def unshare(request: Request) -> Any:
    def change(data_set: DataSet, user: User, values: dict[str, Any]) -> str:
        remove_member(data_set, user)
        return f"{user.username} no longer has access."

    refusal = FormError("There is no user with that name.")
    return _change_member(request, "unshare", change, refusal, active_only=False)


def _change_member(
    request: Request,
    name: str,
    change: Callable[[DataSet, User, dict[str, Any]], str],
    refusal: FormError,
    *,
    active_only: bool,
) -> Any:
    """The form ``name`` names a user (``username``) whose membership ``change`` sets;
    ``refusal`` when there is no such user (or no such active one), the task's own
    words when it refuses, and what ``change`` says when it is done."""

    def act(values: dict[str, Any]) -> None:
        user = user_by_name(request.dbsession, normalize_username(values["username"]))
        if user is None or (active_only and not user.active):
            raise refusal
        try:
            message = change(request.context.data_set, user, values)
        except DataSetError as error:
            raise FormError(str(error)) from error
        request.session.flash(message, "success")

    return _handle(request, name, act)


@view_config(route_name="app_data_set_delete", request_method="POST", permission="manage")
def delete(request: Request) -> Any:
    context = request.context

    def act(values: dict[str, Any]) -> str:
        if values["confirm_name"].strip() != context.data_set.name:
            raise FormError("To delete, type the data set's name exactly.", field="confirm_name")
        name = context.data_set.name
        remove_after_commit(request, delete_data_set(context.data_set))
        request.session.flash(f"Deleted {name}.", "info")
        return str(request.route_path("app_home", app=context.application.url_name))

    return _handle(request, "delete", act)


def _submit(request: Request, task: Task, **parameters: Any) -> HTTPSeeOther:
    job = jobs.submit(
        request.dbsession,
        request.find_service(name="jobs"),
        task,
        data_set=request.context.data_set,
        user=request.identity,
        parameters=parameters,
    )
    return HTTPSeeOther(location=request.route_path("job", job_id=job.id))


@view_config(route_name="app_data_set_copy", request_method="POST", permission="view")
def copy(request: Request) -> Any:
    data_set = request.context.data_set

    def act(values: dict[str, Any]) -> HTTPSeeOther:
        people = [request.identity.id]
        name = " ".join(values["name"].split())
        if not name:
            name = free_name(request.dbsession, f"Copy of {data_set.name}", data_set.application,
                             people)  # fmt: skip
        taken = name_taken(request.dbsession, name, data_set.application, people)
        if taken is not None:
            raise FormError(
                f"You have a data set named “{taken}” already: choose another name.", field="name"
            )
        return _submit(request, data_set_jobs.copy, name=name[:200], owner_id=request.identity.id)

    return _handle(request, "copy", act)


@view_config(route_name="app_data_set_export", request_method="POST", permission="view")
def export(request: Request) -> Any:
    return _handle(request, "export", lambda values: _submit(request, data_set_jobs.export))


@view_config(route_name="app_data_set_import", request_method="POST", permission="edit")
def load_workbook(request: Request) -> Any:
    def act(values: dict[str, Any]) -> HTTPSeeOther:
        if not data_set_is_empty(request.context.data_set):
            raise FormError("This data set has data already; a workbook loads into an empty one.")
        try:
            job = start_import(request, request.context.data_set, posted_workbook(request))
        except UploadError as error:
            raise FormError(str(error), field="file") from error
        return HTTPSeeOther(location=request.route_path("job", job_id=job.id))

    return _handle(request, "import", act)
