"""A data set's settings: rename, copy, share, export, load from a workbook, delete."""

from __future__ import annotations

from typing import Any

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.view import view_config

from poser.apps.framework.after_commit import remove_after_commit
from poser.apps.framework.workbook_upload import posted_workbook, start_import
from poser.models.data_extraction.datasets import members
from poser.models.data_extraction.products import product_counts
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
from poser.tasks.uploads import UploadError
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
        # A workbook loads only into an empty data set (replacing rows is not offered).
        "is_empty": not any(product_counts(request.dbsession, context.data_set.id).values()),
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


def _refuse(request: Request, error: str, status: int = 400) -> dict[str, Any]:
    request.response.status_int = status
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
    remove_after_commit(request, delete_data_set(context.data_set))
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


@view_config(
    route_name="app_data_set_import", renderer=TEMPLATE, request_method="POST", permission="edit"
)
def load_workbook(request: Request) -> Any:
    if any(product_counts(request.dbsession, request.context.data_set.id).values()):
        return _refuse(
            request, "This data set has data already; a workbook loads into an empty one."
        )
    savepoint = request.dbsession.begin_nested()
    try:
        job = start_import(request, request.context.data_set, posted_workbook(request))
    except UploadError as error:
        savepoint.rollback()
        return _refuse(request, str(error), error.status)
    savepoint.commit()
    return HTTPSeeOther(location=request.route_path("job", job_id=job.id))
