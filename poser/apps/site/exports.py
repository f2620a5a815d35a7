"""Exports pages: the list of exports a user may see, their files, and Delete."""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPNotFound
from pyramid.request import Request
from pyramid.response import Response
from pyramid.view import view_config

from poser.apps.framework.after_commit import remove_after_commit
from poser.apps.site.downloads import download_response
from poser.apps.site.forms import CSRFSchema, handle_form, make_form
from poser.apps.site.paging import page_number
from poser.apps.site.security import DATA_SET_PERMISSIONS, OwnedFactory, OwnedResource
from poser.models.data_extraction.datasets import data_sets_for_user
from poser.models.data_extraction.exports import visible_export_types, visible_exports
from poser.models.orm import Export, User
from poser.tasks.exports import delete_export

PAGE_SIZE = 50


class ExportResource(OwnedResource):
    """An export as a context: a 404 for anyone who may not see its data set."""

    def __init__(self, export: Export, role: str | None, acl: list[Any]) -> None:
        super().__init__(export, role, acl)
        self.export = export


export_factory = OwnedFactory(Export, "export_id", ExportResource)


def _files(request: Request) -> Any:
    return request.find_service(name="files")


def _editable_data_sets(request: Request, user: User) -> set[int]:
    """Ids of the data sets whose exports the user may delete (by their role in each)."""
    return {
        data_set.id
        for data_set, role in data_sets_for_user(request.dbsession, user.id)
        if "edit" in DATA_SET_PERMISSIONS[role]
    }


@view_config(route_name="exports", renderer="site/exports/list.jinja2", request_method="GET")
def exports_list(request: Request) -> dict[str, Any]:
    user = request.identity
    export_type = request.params.get("type") or None
    page = page_number(request)
    rows, total = visible_exports(
        request.dbsession,
        user,
        export_type=export_type,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    editable = _editable_data_sets(request, user)
    return {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "export_type": export_type or "",
        "export_types": visible_export_types(request.dbsession, user),
        "may_delete": {export.id for export, _ in rows if export.data_set_id in editable},
    }


@view_config(route_name="export_file", request_method="GET", permission="view")
def export_file(request: Request) -> Response:
    export = request.context.export
    name = request.matchdict["name"]
    # Only a name the export lists: never a path built from what the request says.
    if name not in (export.files or []):
        raise HTTPNotFound()
    return download_response(request, _files(request), f"{export.folder}/{name}", name)


@view_config(route_name="export_delete", request_method="POST", permission="edit")
def export_delete(request: Request) -> Any:
    export = request.context.export
    title = export.title

    def delete(values: dict[str, Any]) -> None:
        remove_after_commit(request, [delete_export(export)])

    form = make_form(request, CSRFSchema(), name="export-delete")
    back = request.route_path("exports")
    return handle_form(request, form, delete, back=back, flash=f"Deleted the export “{title}”.")


def includeme(config: Configurator) -> None:
    config.add_route("exports", "/exports")
    config.include("poser.apps.site.routes")  # the ids predicate
    config.add_route(
        "export_file", "/exports/{export_id}/files/{name}", factory=export_factory, ids="export_id"
    )
    config.add_route(
        "export_delete", "/exports/{export_id}/delete", factory=export_factory, ids="export_id"
    )
    config.scan(__name__)
