"""A small include that the functional tests add through `poser.includes`.

It registers Applications and views that exercise the site's security and error
handling the way real Applications will.
"""

from __future__ import annotations

from html import escape
from typing import Any

from pyramid.config import Configurator
from pyramid.csrf import get_csrf_token
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response

from poser.apps.framework.application import Application
from poser.apps.site.security import data_set_factory
from poser.tasks import jobs
from tests import sample_jobs


def boom(request: Request) -> Any:
    raise RuntimeError("sample failure with a secret-looking detail: hunter2")


def admin_only(request: Request) -> dict[str, Any]:
    return {"ok": "admin area"}


def data_set_view(request: Request) -> dict[str, Any]:
    return {"name": request.context.data_set.name, "role": request.context.role}


def data_set_edit(request: Request) -> dict[str, Any]:
    return {"edited": request.context.data_set.id}


def start_job_page(request: Request) -> Response:
    token = escape(get_csrf_token(request))
    return Response(
        '<!doctype html><html lang="en"><title>Start</title><h1>Sample job</h1>'
        f'<form method="post"><input type="hidden" name="csrf_token" value="{token}">'
        '<button type="submit">Start a slow job</button></form>'
    )


def start_job(request: Request) -> HTTPSeeOther:
    steps = int(request.params.get("steps", 40))
    job = jobs.submit(
        request.dbsession,
        request.find_service(name="jobs"),
        sample_jobs.touch,
        data_set=request.context.data_set,
        user=request.identity,
        parameters={"steps": steps, "delay": 0.1},
    )
    return HTTPSeeOther(location=request.route_path("job", job_id=job.id))


def includeme(config: Configurator) -> None:
    config.add_application(
        Application(name="Sample Catalog", url_name="sample_catalog", description="For all")
    )
    config.add_application(
        Application(
            name="Sample Admin Tool", url_name="sample_admin", permission="admin", description="x"
        )
    )
    config.add_route("sample_catalog", "/sample/catalog")
    config.add_view(admin_only, route_name="sample_catalog", renderer="json")
    config.add_route("sample_admin", "/sample/admin")
    config.add_view(admin_only, route_name="sample_admin", renderer="json", permission="admin")
    config.add_route("sample_boom", "/sample/boom")
    config.add_view(boom, route_name="sample_boom")
    config.include("poser.apps.site.routes")  # the ids predicate
    config.add_route(
        "sample_data_set",
        "/sample/data-sets/{data_set_id}",
        factory=data_set_factory,
        ids="data_set_id",
    )
    config.add_view(data_set_view, route_name="sample_data_set", renderer="json")
    config.add_route(
        "sample_data_set_edit",
        "/sample/data-sets/{data_set_id}/edit",
        factory=data_set_factory,
        ids="data_set_id",
    )
    config.add_route(
        "sample_start_job",
        "/sample/data-sets/{data_set_id}/start",
        factory=data_set_factory,
        ids="data_set_id",
    )
    config.add_view(start_job_page, route_name="sample_start_job", request_method="GET")
    config.add_view(
        start_job, route_name="sample_start_job", request_method="POST", permission="edit"
    )
    config.add_view(
        data_set_edit,
        route_name="sample_data_set_edit",
        renderer="json",
        permission="edit",
        request_method="POST",
    )
