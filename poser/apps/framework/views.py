"""The pages every Application gets: its home and its data sets' steps. Widget actions
are views of their own (``actions.py``)."""

from __future__ import annotations

from typing import Any

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.request import Request
from pyramid.view import view_config

from poser.apps.framework.application import Application, Step
from poser.apps.framework.render import step_values
from poser.apps.framework.workbook_upload import posted_workbook, start_import
from poser.models.data_extraction.datasets import data_sets_for_user
from poser.tasks import jobs
from poser.tasks.datasets import DataSetError, create_data_set
from poser.tasks.uploads import UploadError, max_upload_bytes, safe_filename


@view_config(
    route_name="app_home",
    renderer="framework/app_home.jinja2",
    request_method="GET",
    permission="use",
)
def app_home(request: Request) -> dict[str, Any]:
    application = request.context.application
    data_sets = data_sets_for_user(
        request.dbsession, request.identity.id, application.data_set_kind
    )
    return {
        "application": application,
        "data_sets": data_sets,
        "max_upload_bytes": max_upload_bytes(request.registry.settings),
        "error": None,
    }


@view_config(
    route_name="app_home",
    renderer="framework/app_home.jinja2",
    request_method="POST",
    permission="use",
)
def create(request: Request) -> Any:
    """New data set: empty, or loaded from one of the Application's examples (a job)."""
    application = request.context.application
    example = request.POST.get("example") or ""
    if example and example not in application.examples:
        raise HTTPNotFound()
    name = request.POST.get("name") or example or ""
    try:
        data_set = create_data_set(
            request.dbsession, name, application.data_set_kind, request.identity
        )
    except DataSetError as error:
        request.response.status_int = 400
        values = app_home(request)
        return {**values, "error": str(error)}
    if example:
        job = jobs.submit(
            request.dbsession,
            request.find_service(name="jobs"),
            "datasets.load_example",
            data_set=data_set,
            user=request.identity,
            parameters={"resource": application.examples[example]},
        )
        request.session.flash(f"Loading the example “{example}” into {data_set.name}.", "info")
        return HTTPSeeOther(location=request.route_path("job", job_id=job.id))
    request.session.flash(f"Created {data_set.name}.", "success")
    return HTTPSeeOther(location=_first_step_url(request, application, data_set.id))


@view_config(
    route_name="app_import",
    renderer="framework/app_home.jinja2",
    request_method="POST",
    permission="use",
)
def create_from_workbook(request: Request) -> Any:
    """New data set loaded from an uploaded workbook, by a job; a refused file leaves
    neither a data set nor a stored file."""
    application = request.context.application
    try:
        field = posted_workbook(request)
    except UploadError as error:
        return _refused(request, error)
    filename = safe_filename(field.filename or "")
    name = request.POST.get("name") or filename.rsplit(".", 1)[0]
    savepoint = request.dbsession.begin_nested()
    try:
        data_set = create_data_set(
            request.dbsession, name, application.data_set_kind, request.identity
        )
        job = start_import(request, data_set, field)
    except (DataSetError, UploadError) as error:
        savepoint.rollback()
        return _refused(request, error)
    savepoint.commit()
    request.session.flash(f"Loading {filename} into {data_set.name}.", "info")
    return HTTPSeeOther(location=request.route_path("job", job_id=job.id))


def _refused(request: Request, error: DataSetError | UploadError) -> dict[str, Any]:
    request.response.status_int = getattr(error, "status", 400)
    return {**app_home(request), "error": str(error)}


def _first_step_url(request: Request, application: Application, data_set_id: int) -> str:
    steps = application.steps
    if not steps:
        return request.route_path(
            "app_data_set_settings", app=application.url_name, data_set_id=data_set_id
        )
    return request.route_path(
        "app_step", app=application.url_name, data_set_id=data_set_id, step=steps[0].slug
    )


@view_config(route_name="app_data_set", request_method="GET", permission="view")
def data_set_start(request: Request) -> HTTPSeeOther:
    context = request.context
    return HTTPSeeOther(location=_first_step_url(request, context.application, context.data_set.id))


def _step(request: Request) -> Step:
    step = request.context.application.step(request.matchdict["step"])
    if step is None:
        raise HTTPNotFound()
    return step


@view_config(
    route_name="app_step",
    renderer="framework/step.jinja2",
    request_method="GET",
    permission="view",
)
def step_page(request: Request) -> dict[str, Any]:
    return step_values(request, _step(request))
