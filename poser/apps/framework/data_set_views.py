"""A data set's settings: rename, copy, share, export, delete."""

from __future__ import annotations

from typing import Any

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.view import view_config

from poser.models.data_extraction.datasets import members
from poser.models.data_extraction.users import user_by_name
from poser.models.orm import MEMBER_ROLES
from poser.tasks import jobs
from poser.tasks.datasets import (
    DataSetError,
    delete_data_set,
    remove_member,
    rename_data_set,
    set_member,
)
from poser.tasks.users import normalize_username

TEMPLATE = "framework/data_set_settings.jinja2"


def _values(request: Request, error: str | None = None) -> dict[str, Any]:
    context = request.context
    return {
        "application": context.application,
        "data_set": context.data_set,
        "role": context.role,
        "members": members(request.dbsession, context.data_set.id),
        "roles": MEMBER_ROLES,
        "may_edit": bool(request.has_permission("edit")),
        "may_manage": bool(request.has_permission("manage")),
        "error": error,
    }


def _back(request: Request, message: str, queue: str = "success") -> HTTPSeeOther:
    request.session.flash(message, queue)
    context = request.context
    return HTTPSeeOther(
        location=request.route_path(
            "app_data_set_settings",
            app=context.application.url_name,
            data_set_id=context.data_set.id,
        )
    )


def _refuse(request: Request, error: str) -> dict[str, Any]:
    request.response.status_int = 400
    return _values(request, error)


@view_config(
    route_name="app_data_set_settings", renderer=TEMPLATE, request_method="GET", permission="view"
)
def settings_page(request: Request) -> dict[str, Any]:
    return _values(request)


@view_config(
    route_name="app_data_set_rename", renderer=TEMPLATE, request_method="POST", permission="edit"
)
def rename(request: Request) -> Any:
    try:
        rename_data_set(request.context.data_set, request.POST.get("name", ""))
    except DataSetError as error:
        return _refuse(request, str(error))
    return _back(request, "Renamed.")


@view_config(
    route_name="app_data_set_share", renderer=TEMPLATE, request_method="POST", permission="manage"
)
def share(request: Request) -> Any:
    user = user_by_name(request.dbsession, normalize_username(request.POST.get("username", "")))
    if user is None or not user.active:
        return _refuse(request, "There is no active user with that name.")
    try:
        set_member(request.context.data_set, user, request.POST.get("role", ""))
    except DataSetError as error:
        return _refuse(request, str(error))
    return _back(request, f"{user.username} is now {request.POST['role']}.")


@view_config(
    route_name="app_data_set_unshare", renderer=TEMPLATE, request_method="POST", permission="manage"
)
def unshare(request: Request) -> Any:
    user = user_by_name(request.dbsession, normalize_username(request.POST.get("username", "")))
    if user is None:
        return _refuse(request, "There is no user with that name.")
    try:
        remove_member(request.context.data_set, user)
    except DataSetError as error:
        return _refuse(request, str(error))
    return _back(request, f"{user.username} no longer has access.")


@view_config(
    route_name="app_data_set_delete", renderer=TEMPLATE, request_method="POST", permission="manage"
)
def delete(request: Request) -> Any:
    context = request.context
    if request.POST.get("confirm_name", "").strip() != context.data_set.name:
        return _refuse(request, "To delete, type the data set's name exactly.")
    name = context.data_set.name
    delete_data_set(context.data_set)
    request.session.flash(f"Deleted {name}.", "info")
    return HTTPSeeOther(location=request.route_path("app_home", app=context.application.url_name))


def _submit(request: Request, kind: str, **parameters: Any) -> HTTPSeeOther:
    job = jobs.submit(
        request.dbsession,
        request.find_service(name="jobs"),
        kind,
        data_set=request.context.data_set,
        user=request.identity,
        parameters=parameters,
    )
    return HTTPSeeOther(location=request.route_path("job", job_id=job.id))


@view_config(
    route_name="app_data_set_copy", renderer=TEMPLATE, request_method="POST", permission="view"
)
def copy(request: Request) -> Any:
    name = (
        " ".join(request.POST.get("name", "").split()) or f"Copy of {request.context.data_set.name}"
    )
    return _submit(request, "datasets.copy", name=name[:200], owner_id=request.identity.id)


@view_config(route_name="app_data_set_export", request_method="POST", permission="view")
def export(request: Request) -> HTTPSeeOther:
    return _submit(request, "datasets.export")
