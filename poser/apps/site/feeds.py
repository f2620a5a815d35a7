"""A data set's storefront product feed: its page (columns, latest file, settings,
past runs), its settings' form, "Write it now", and the latest file at a stable URL.

The feed is a task (`poser.tasks.feeds`); its settings are data set parameters saved
as every Application's are. Its URLs are the data set's, so to anyone who is not a
member they do not exist (404) and an anonymous request goes to the login page; a
viewer reads the page and downloads the file, an editor changes the settings and
writes it now. Only a Products data set (or one an Application works on as such) has
a feed.
"""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response
from pyramid.view import view_config

from poser.apps.framework.resources import app_data_set_factory
from poser.apps.parameters import typed_values
from poser.apps.parameters.schema import parameters_schema
from poser.apps.site.downloads import download_response
from poser.apps.site.forms import CSRFSchema, FormError, button, handle_form, make_form, render_form
from poser.models.data_extraction.feeds import feed_runs, latest_feed
from poser.models.data_extraction.parameters import stored_parameters
from poser.tasks.feeds import EXPORT_TYPE, OutputTemplateError, feed_template
from poser.tasks.feeds.runs import (
    DATA_SET_KIND,
    PERMISSION,
    SETTINGS,
    save_feed_settings,
    start_run,
)
from poser.tasks.jobs import AlreadyRunningError

#: Past runs the page lists, newest first.
RUNS_SHOWN = 30
TEMPLATE = "site/feeds/feed.jinja2"


def _context(request: Request) -> Any:
    """The data set's context, if its Application's data sets have a feed; else 404."""
    context = request.context
    if context.application.data_set_kind != DATA_SET_KIND:
        raise HTTPNotFound()
    return context


def _url(request: Request, route: str) -> str:
    context = request.context
    return str(
        request.route_path(route, app=context.application.url_name, data_set_id=context.data_set.id)
    )


def _settings_form(request: Request) -> Any:
    return make_form(
        request,
        parameters_schema(SETTINGS.parameters),
        buttons=(button("save", "Save"),),
        name="feed-settings",
        action=_url(request, "product_feed_settings"),
    )


def _run_form(request: Request) -> Any:
    return make_form(
        request,
        CSRFSchema(),
        buttons=(button("run", "Write the feed now", "btn-outline-primary"),),
        name="feed-run",
        action=_url(request, "product_feed_run"),
    )


def _template_part(request: Request) -> dict[str, Any]:
    """The file's headers, in order, or why its template cannot be used."""
    try:
        template = feed_template(request.find_service(name="files"))
    except OutputTemplateError as error:
        return {"headers": [], "template_problem": str(error)}
    return {
        "headers": [column["header"] for column in template["columns"]],
        "template_problem": None,
    }


def _runs(request: Request) -> list[dict[str, Any]]:
    runs = []
    for run, job, username, export in feed_runs(
        request.dbsession, request.context.data_set.id, RUNS_SHOWN
    ):
        if run.night is not None:
            by = f"Nightly, {run.night.strftime('%d %B %Y').lstrip('0')}"
        else:
            by = username or "The system"
        result = job.result if job is not None and isinstance(job.result, dict) else {}
        runs.append(
            {"run": run, "job": job, "by": by, "rows": result.get("rows"), "export": export}
        )
    return runs


@view_config(route_name="product_feed", renderer=TEMPLATE, request_method="GET", permission="view")
def feed_page(request: Request) -> dict[str, Any]:
    context = _context(request)
    stored = stored_parameters(request.dbsession, context.data_set.id)
    may_edit = bool(request.has_permission(PERMISSION, context))
    settings = typed_values(SETTINGS.parameters, stored)
    latest = latest_feed(request.dbsession, context.data_set.id, EXPORT_TYPE)
    return {
        "application": context.application,
        "data_set": context.data_set,
        "settings": settings,
        # A viewer reads the settings in words above the form, which is editors' only.
        "settings_form": render_form(request, _settings_form(request), settings)
        if may_edit
        else None,
        "run_form": render_form(request, _run_form(request)) if may_edit else None,
        "latest": latest,
        "latest_url": request.route_url(
            "product_feed_latest", app=context.application.url_name, data_set_id=context.data_set.id
        ),
        "runs": _runs(request),
        **_template_part(request),
    }


@view_config(route_name="product_feed_settings", request_method="POST", permission=PERMISSION)
def save_settings(request: Request) -> Any:
    context = _context(request)

    def act(values: dict[str, Any]) -> None:
        nightly, keep = (values.get(p.name) for p in SETTINGS.parameters)
        changed = save_feed_settings(context.data_set, bool(nightly), keep)
        if not changed:
            request.session.flash("Nothing changed.", "info")
        elif nightly:
            request.session.flash(
                f"The feed is written every night; the last {keep} are kept.", "success"
            )
        else:
            request.session.flash("The feed is not written at night.", "success")

    return handle_form(request, _settings_form(request), act, back=_url(request, "product_feed"))


@view_config(route_name="product_feed_run", request_method="POST", permission=PERMISSION)
def run_now(request: Request) -> Any:
    context = _context(request)

    def act(values: dict[str, Any]) -> HTTPSeeOther:
        try:
            job = start_run(context.data_set, request.find_service(name="jobs"), request.identity)
        except AlreadyRunningError as error:
            raise FormError(str(error)) from error
        return HTTPSeeOther(location=request.route_path("job", job_id=job.id))

    return handle_form(request, _run_form(request), act, back=_url(request, "product_feed"))


@view_config(route_name="product_feed_latest", request_method="GET", permission="view")
def latest_file(request: Request) -> Response:
    """The newest file of the feed, at the same address every night; 404 until there
    is one."""
    context = _context(request)
    latest = latest_feed(request.dbsession, context.data_set.id, EXPORT_TYPE)
    names = [name for name in (latest.files if latest else []) if name.endswith(".csv")]
    if latest is None or not names:
        raise HTTPNotFound()
    response = download_response(
        request, request.find_service(name="files"), f"{latest.folder}/{names[0]}", names[0]
    )
    # The same address names a new file each night: no cache may keep an older one.
    response.headers["Cache-Control"] = "no-store"
    return response


def includeme(config: Configurator) -> None:
    config.include("poser.apps.site.routes")  # the ids predicate
    base = "/apps/{app}/data-sets/{data_set_id}/feed"
    routes = {
        "product_feed": "",
        "product_feed_settings": "/settings",
        "product_feed_run": "/run",
        "product_feed_latest": "/latest.csv",
    }
    for name, suffix in routes.items():
        config.add_route(name, base + suffix, factory=app_data_set_factory, ids="data_set_id")
    config.scan(__name__)
