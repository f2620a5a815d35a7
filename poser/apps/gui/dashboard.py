"""A data set's dashboard, its home page: what needs attention and its key figures,
each item a link to where it is handled.

The page decides nothing: the queries are `poser.models.data_extraction.dashboard`'s,
the batch types, job kinds and reports come from the tasks layer's registries, and a
batch's link is to the step of the Application that lists that batch type (its
`BatchList`), found in the Application registry: a new batch type, report or export
type shows here with no code of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.view import view_config

from poser.apps.framework.application import Application
from poser.apps.framework.registry import registered_applications
from poser.apps.framework.widget import action_route_name
from poser.apps.gui.batch_list import BatchList
from poser.apps.site.forms import CSRFSchema, button, handle_form, make_form, render_form
from poser.apps.site.security import Root
from poser.apps.widgets.chart import Chart
from poser.models.data_extraction import dashboard as queries
from poser.models.orm import Batch, DataSet, Export, Job
from poser.tasks import jobs
from poser.tasks.batches import handlers
from poser.tasks.dashboard import LIVE_PRODUCTS, work_out_figures
from poser.tasks.job_kinds import UnknownJobKindError, get_kind, kind_of
from poser.tasks.products_data import KIND as PRODUCTS_KIND
from poser.tasks.reports import Report, all_reports
from poser.tasks.reports.catalog import INVENTORY_VALUATION, MARGIN_BY_DEPARTMENT, NEEDING_ATTENTION
from poser.utils.labels import key_words
from poser.utils.timeutil import utcnow

TEMPLATE = "framework/data_set_home.jinja2"

CHART = Chart(
    name="value-by-department",
    title="Inventory value at cost by department",
    kind="bar",
    query=lambda ctx: [],  # the page hands it the figures' rows (`chart_data`)
    x_label="Department",
    y_label="Value at cost",
    value_format="{:,.2f}",
)


@dataclass(frozen=True)
class BatchPlace:
    """Where a batch type is handled: its Application and the step and widget of its
    list of batches, whose ``open`` action shows one batch on its review or apply."""

    application: Application
    step: str
    widget: str


def batch_places(request: Request, data_set: DataSet) -> dict[str, BatchPlace]:
    """Each batch type that an Application of this data set's kind lists, by type."""
    places: dict[str, BatchPlace] = {}
    for application in registered_applications(request.registry):
        if application.data_set_kind != data_set.application:
            continue
        if not request.has_permission(application.permission, Root(request)):
            continue
        for step in application.steps:
            for widget in step.widgets:
                if isinstance(widget, BatchList) and widget.batch_type not in places:
                    places[widget.batch_type] = BatchPlace(application, step.slug, widget.name)
    return places


def _open_url(request: Request, place: BatchPlace, data_set: DataSet, **query: Any) -> str:
    route = action_route_name(place.application.url_name, place.step, place.widget, "open")
    return str(request.route_path(route, data_set_id=data_set.id, _query=query))


def _batches(request: Request, data_set: DataSet) -> dict[str, Any]:
    types = handlers()
    places = batch_places(request, data_set)
    waiting = queries.waiting_batches(request.dbsession, data_set.id, sorted(types))

    def links(batch: Batch) -> dict[str, str]:
        place = places.get(batch.batch_type)
        if place is None:
            return {}
        found = {"review": _open_url(request, place, data_set, batch=batch.id, step="review")}
        if batch.status == "populated":
            found["apply"] = _open_url(request, place, data_set, batch=batch.id, step="apply")
        return found

    by_type = []
    for batch_type, counts in sorted(waiting.counts.items()):
        place = places.get(batch_type)
        list_url = (
            request.route_path(
                "app_step",
                app=place.application.url_name,
                data_set_id=data_set.id,
                step=place.step,
            )
            if place
            else None
        )
        title = types[batch_type].title if batch_type in types else key_words(batch_type)
        by_type.append((title, counts.get("populated", 0), counts.get("new", 0), list_url))
    return {
        "total": waiting.total,
        "by_type": by_type,
        "newest": [
            (batch, types[batch.batch_type].title, links(batch)) for batch in waiting.newest
        ],
    }


def _job_title(job: Job) -> str:
    try:
        return get_kind(job.kind).title
    except UnknownJobKindError:
        return key_words(job.kind)


def _jobs(request: Request, data_set: DataSet) -> dict[str, Any]:
    session = request.dbsession
    unfinished = queries.unfinished_jobs(session, data_set.id)
    failed = queries.failed_jobs(session, data_set.id, utcnow())

    def listed(found: queries.JobList) -> dict[str, Any]:
        return {"total": found.total, "jobs": [(job, _job_title(job)) for job in found.jobs]}

    return {"unfinished": listed(unfinished), "failed": listed(failed)}


def _files(request: Request, export: Export | None) -> list[tuple[str, str]]:
    if export is None:
        return []
    return [
        (name, request.route_path("export_file", export_id=export.id, name=name))
        for name in export.files or []
    ]


def _report_url(
    request: Request, application: Application, data_set: DataSet, report: Report
) -> str:
    return str(
        request.route_path(
            "report", app=application.url_name, data_set_id=data_set.id, report=report.name
        )
    )


def _outputs(request: Request, application: Application, data_set: DataSet) -> dict[str, Any]:
    session = request.dbsession
    reports = {report.job_kind_name: report for report in all_reports(application.data_set_kind)}
    runs = queries.latest_report_runs(session, data_set.id, sorted(reports))
    exports = queries.latest_exports(
        session, data_set.id, leave_out=sorted(report.name for report in reports.values())
    )
    return {
        "runs": [
            (
                job,
                reports[job.kind].title,
                username,
                _report_url(request, application, data_set, reports[job.kind]),
                _files(request, export),
            )
            for job, username, export in runs
        ],
        "exports": [(export, _files(request, export)) for export in exports],
        "reports_url": request.route_path(
            "reports", app=application.url_name, data_set_id=data_set.id
        ),
    }


def _figures(request: Request, application: Application, data_set: DataSet) -> dict[str, Any]:
    """The key figures, read live for a small data set, else the ones a job kept."""
    session = request.dbsession
    kind = kind_of(work_out_figures).name
    state = queries.figures_state(session, data_set.id, kind, LIVE_PRODUCTS)
    live, kept = state.live, state.kept
    figures = queries.key_figures(session, data_set.id) if live else kept and kept.figures

    def report(found: Report) -> str:
        return _report_url(request, application, data_set, found)

    owner = next(
        (
            app
            for app in registered_applications(request.registry)
            if app.url_name == data_set.application
        ),
        None,
    )
    products_url = (
        request.route_path(
            "app_step", app=owner.url_name, data_set_id=data_set.id, step=owner.steps[0].slug
        )
        if owner is not None and owner.steps
        else None
    )
    return {
        "figures": figures,
        "live": live,
        "kept_job": kept.job if kept else None,
        "stale": state.stale,
        "working": state.working,
        "form": None if live else render_form(request, _figures_form(request)),
        "chart": CHART,
        "chart_data": CHART.chart_data(figures.by_department) if figures else None,
        "links": {
            "products": products_url,
            "value_at_cost": report(INVENTORY_VALUATION),
            "average_margin": report(MARGIN_BY_DEPARTMENT),
            "needing_attention": report(NEEDING_ATTENTION),
        },
    }


def dashboard_values(request: Request) -> dict[str, Any]:
    """The dashboard's template values: the batches, jobs, outputs and figures."""
    context = request.context
    application, data_set = context.application, context.data_set
    shows_figures = data_set.application == PRODUCTS_KIND
    return {
        "batches": _batches(request, data_set),
        "jobs": _jobs(request, data_set),
        "outputs": _outputs(request, application, data_set),
        "key": _figures(request, application, data_set) if shows_figures else None,
    }


@view_config(route_name="app_data_set_figures", request_method="POST", permission="view")
def work_out_again(request: Request) -> Any:
    """Work out the key figures anew, by a job; back to the dashboard."""
    context = request.context
    home = request.route_path(
        "app_data_set", app=context.application.url_name, data_set_id=context.data_set.id
    )

    def act(values: dict[str, Any]) -> HTTPSeeOther:
        jobs.submit(
            request.dbsession,
            request.find_service(name="jobs"),
            work_out_figures,
            data_set=context.data_set,
            user=request.identity,
        )
        request.session.flash("Working out the figures: they show here once done.", "info")
        return HTTPSeeOther(location=home)

    return handle_form(request, _figures_form(request), act, back=home)


def _figures_form(request: Request) -> Any:
    context = request.context
    action = request.route_path(
        "app_data_set_figures", app=context.application.url_name, data_set_id=context.data_set.id
    )
    again = button("submit", "Work out the figures again", "btn-outline-primary btn-sm")
    return make_form(request, CSRFSchema(), (again,), "figures", action=action)


def includeme(config: Configurator) -> None:
    config.scan(__name__)
