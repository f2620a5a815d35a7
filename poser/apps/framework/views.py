"""The pages every Application gets: its home and its data sets' steps. Widget actions
are views of their own (``actions.py``)."""

from __future__ import annotations

from typing import Any

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.request import Request
from pyramid.view import view_config

from poser.apps.framework.application import Application, Step
from poser.apps.framework.home_forms import create_form, home_forms, offered, posted_form_name
from poser.apps.framework.render import HOME_TEMPLATE, home_values, step_values
from poser.apps.framework.workbook_upload import posted_workbook, start_import
from poser.apps.gui.dashboard import dashboard_values
from poser.apps.site.forms import FormError, handle_form
from poser.models.data_extraction.datasets import data_sets_for_user
from poser.tasks import jobs
from poser.tasks.datasets import DataSetError, create_data_set
from poser.tasks.datasets import jobs as data_set_jobs
from poser.tasks.uploads import UploadError, safe_filename


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
    return {"application": application, "data_sets": data_sets, "forms": home_forms(request)}


@view_config(route_name="app_home", request_method="POST", permission="use")
def create(request: Request) -> Any:
    """New data set: empty, or loaded from one of the Application's examples (a job)."""
    application = request.context.application

    def act(values: dict[str, Any]) -> Any:
        example = values.get("example") or ""
        try:
            data_set = create_data_set(
                request.dbsession, values["name"] or example, application.data_set_kind,
                request.identity,
            )  # fmt: skip
        except DataSetError as error:
            raise FormError(str(error), field="name") from error
        if example:
            job = jobs.submit(
                request.dbsession,
                request.find_service(name="jobs"),
                data_set_jobs.load_example,
                data_set=data_set,
                user=request.identity,
                parameters={"resource": application.examples[example]},
            )
            request.session.flash(f"Loading the example “{example}” into {data_set.name}.", "info")
            return HTTPSeeOther(location=request.route_path("job", job_id=job.id))
        request.session.flash(f"Created {data_set.name}.", "success")
        return _first_step_url(request, application, data_set.id)

    form = create_form(request, posted_form_name(request))
    return handle_form(request, form, act, back=_home_url(request))


@view_config(route_name="app_import", request_method="POST", permission="use")
def create_from_workbook(request: Request) -> Any:
    """New data set loaded from an uploaded workbook, by a job; a refused file leaves
    neither a data set nor a stored file."""
    application = request.context.application
    if not offered(application, "import"):
        raise HTTPNotFound()  # its data sets keep no tables: there is no workbook to load

    def act(values: dict[str, Any]) -> HTTPSeeOther:
        try:
            field = posted_workbook(request)
        except UploadError as error:
            raise FormError(str(error), field="file") from error
        filename = safe_filename(field.filename or "")
        name = values["name"] or filename.rsplit(".", 1)[0]
        try:
            data_set = create_data_set(
                request.dbsession, name, application.data_set_kind, request.identity
            )
        except DataSetError as error:
            raise FormError(str(error), field="name") from error
        try:
            job = start_import(request, data_set, field)
        except UploadError as error:
            raise FormError(str(error), field="file") from error
        request.session.flash(f"Loading {filename} into {data_set.name}.", "info")
        return HTTPSeeOther(location=request.route_path("job", job_id=job.id))

    form = create_form(request, "import")
    return handle_form(request, form, act, back=_home_url(request))


def _home_url(request: Request) -> str:
    return str(request.route_path("app_home", app=request.context.application.url_name))


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
def data_set_home(request: Request) -> Any:
    """The data set's home: its dashboard, beside the step list (an Application without
    steps has its settings page instead)."""
    context = request.context
    if not context.application.steps:
        return HTTPSeeOther(
            location=_first_step_url(request, context.application, context.data_set.id)
        )
    values = {**home_values(request), **dashboard_values(request)}
    return render_to_response(HOME_TEMPLATE, values, request=request)


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
