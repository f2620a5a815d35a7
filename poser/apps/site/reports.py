"""Report pages of a data set: the reports its Application's data sets have, each
report's form and past runs, and "Run again" with a past run's parameters.

Nothing here knows one report from another: each page reads the report's declaration
(`poser.tasks.reports`). Running a report takes "view" on the data set (its job kind
says so: a report reads the data set and writes only its files); to anyone who is not
a member the pages do not exist (404), as every data set URL.
"""

from __future__ import annotations

from typing import Any

import colander
import deform
from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.request import Request
from pyramid.view import view_config

from poser.apps.framework.resources import app_data_set_factory
from poser.apps.parameters.schema import parameter_node, parameters_schema
from poser.apps.site.forms import (
    CSRFSchema,
    FormError,
    button,
    handle_form,
    make_form,
    render_form,
)
from poser.models.data_extraction.reports import report_runs
from poser.models.orm import Job
from poser.tasks import jobs
from poser.tasks.job_kinds import get_kind
from poser.tasks.reports import Report, all_reports, find_report, parameter_value_words
from poser.tasks.reports.schedules import (
    FREQUENCY_WORDS,
    SCHEDULE_PERMISSION,
    ScheduleError,
    next_run_on,
    schedule_of,
    set_schedule,
)
from poser.utils.timeutil import utcnow

#: Past runs a report's page lists, newest first.
RUNS_SHOWN = 25


def _report(request: Request) -> Report:
    """The report the URL names, if the data set's Application has it; else a 404."""
    report = find_report(request.matchdict.get("report", ""))
    kind = request.context.application.data_set_kind
    if report is None or report.data_set_kind != kind:
        raise HTTPNotFound()
    return report


def _url(request: Request, route: str, **kw: Any) -> str:
    context = request.context
    return str(
        request.route_path(
            route, app=context.application.url_name, data_set_id=context.data_set.id, **kw
        )
    )


def _run_form(request: Request, report: Report) -> Any:
    schema = parameters_schema(report.parameters.parameters)
    return make_form(
        request,
        schema,
        buttons=(button("run", "Run the report"),),
        name="run-report",
        action=_url(request, "report_run", report=report.name),
    )


def _again_form(request: Request, report: Report, job: Job) -> Any:
    return make_form(
        request,
        CSRFSchema(),
        buttons=(button("again", "Run again", "btn-outline-primary btn-sm"),),
        name=f"again-{job.id}",
        action=_url(request, "report_again", report=report.name, job_id=job.id),
        css_class="m-0",
    )


def _runs(request: Request, reports: list[Report], limit: int) -> list[dict[str, Any]]:
    by_kind = {report.job_kind_name: report for report in reports}
    runs = []
    for job, username, export in report_runs(
        request.dbsession, request.context.data_set.id, list(by_kind), limit
    ):
        report = by_kind[job.kind]
        values = (job.parameters or {}).get("values")
        by = username or "The system"
        if (job.parameters or {}).get("schedule_id"):
            by = f"{by} (scheduled)"
        runs.append(
            {
                "job": job,
                "report": report,
                "by": by,
                "parameters": report.parameter_words(values),
                "export": export,
                "again": render_form(request, _again_form(request, report, job)),
            }
        )
    return runs


@view_config(
    route_name="reports",
    renderer="site/reports/list.jinja2",
    request_method="GET",
    permission="view",
)
def reports_list(request: Request) -> dict[str, Any]:
    reports = all_reports(request.context.application.data_set_kind)
    return {
        "application": request.context.application,
        "data_set": request.context.data_set,
        "reports": reports,
        "runs": _runs(request, reports, RUNS_SHOWN) if reports else [],
    }


@view_config(
    route_name="report",
    renderer="site/reports/report.jinja2",
    request_method="GET",
    permission="view",
)
def report_page(request: Request) -> dict[str, Any]:
    report = _report(request)
    defaults = report.values_from_json({})
    appstruct = {name: value for name, value in defaults.items() if value is not None}
    return {
        "application": request.context.application,
        "data_set": request.context.data_set,
        "report": report,
        "form": render_form(request, _run_form(request, report), appstruct),
        "runs": _runs(request, [report], RUNS_SHOWN),
        **_schedule_part(request, report),
    }


def _submit(request: Request, report: Report, stored: dict[str, Any]) -> HTTPSeeOther:
    job = jobs.submit(
        request.dbsession,
        request.find_service(name="jobs"),
        get_kind(report.job_kind_name),
        data_set=request.context.data_set,
        user=request.identity,
        parameters={"values": stored},
    )
    return HTTPSeeOther(location=request.route_path("job", job_id=job.id))


@view_config(route_name="report_run", request_method="POST", permission="view")
def run_report(request: Request) -> Any:
    report = _report(request)

    def act(values: dict[str, Any]) -> HTTPSeeOther:
        typed = {p.name: values.get(p.name) for p in report.parameters.parameters}
        problem = report.check(typed) if report.check else None
        if problem:
            raise FormError(problem)
        return _submit(request, report, report.values_to_json(typed))

    back = _url(request, "report", report=report.name)
    return handle_form(request, _run_form(request, report), act, back=back)


@view_config(route_name="report_again", request_method="POST", permission="view")
def run_again(request: Request) -> Any:
    report = _report(request)
    job = request.dbsession.get(Job, int(request.matchdict["job_id"]))
    same = (
        job is not None
        and job.data_set_id == request.context.data_set.id
        and job.kind == report.job_kind_name
    )
    if not same:
        raise HTTPNotFound()

    def act(values: dict[str, Any]) -> HTTPSeeOther:
        stored = report.values_to_json(
            report.values_from_json((job.parameters or {}).get("values"))
        )
        return _submit(request, report, stored)

    back = _url(request, "report", report=report.name)
    return handle_form(request, _again_form(request, report, job), act, back=back)


def _scheduled_parameters(report: Report) -> list[Any]:
    period = set(report.period or ())
    return [p for p in report.parameters.parameters if p.name not in period]


def _schedule_form(request: Request, report: Report) -> Any:
    schema = CSRFSchema()
    choices = [("", "Not scheduled"), *FREQUENCY_WORDS.items()]
    schema.add(
        colander.SchemaNode(
            colander.String(),
            name="frequency",
            title="Run it",
            missing="",
            validator=colander.OneOf([value for value, _ in choices], msg_err="Choose how often."),
            widget=deform.widget.SelectWidget(values=choices),
        )
    )
    for parameter in _scheduled_parameters(report):
        schema.add(parameter_node(parameter))
    return make_form(
        request,
        schema,
        buttons=(button("schedule", "Save the schedule", "btn-outline-primary"),),
        name="schedule-report",
        action=_url(request, "report_schedule", report=report.name),
    )


def _schedule_part(request: Request, report: Report) -> dict[str, Any]:
    """The report's schedule in words, and its form for those who may change it."""
    schedule = schedule_of(request.context.data_set, report)
    described = None
    appstruct: dict[str, Any] = {}
    if schedule is not None:
        typed = report.values_from_json(schedule.parameters)
        shown = [
            (p.label, parameter_value_words(p, typed[p.name]))
            for p in _scheduled_parameters(report)
        ]
        described = {
            "how_often": FREQUENCY_WORDS[schedule.frequency],
            "next": next_run_on(schedule, utcnow().date()),
            "by": schedule.user.username if schedule.user else None,
            "parameters": shown,
        }
        appstruct = {"frequency": schedule.frequency}
        appstruct.update({k: v for k, v in typed.items() if v is not None})
    form = None
    if request.has_permission(SCHEDULE_PERMISSION, request.context):
        form = render_form(request, _schedule_form(request, report), appstruct)
    return {"schedule": described, "schedule_form": form}


@view_config(route_name="report_schedule", request_method="POST", permission="edit")
def schedule_report(request: Request) -> Any:
    report = _report(request)

    def act(values: dict[str, Any]) -> str:
        typed = {p.name: values.get(p.name) for p in _scheduled_parameters(report)}
        stored = {k: v for k, v in report.values_to_json(typed).items() if k in typed}
        try:
            set_schedule(
                request.context.data_set, report, values["frequency"], stored, request.identity
            )
        except ScheduleError as error:
            raise FormError(str(error), field="frequency") from error
        words = FREQUENCY_WORDS.get(values["frequency"])
        message = (
            f"{report.title} runs {words[:1].lower()}{words[1:]}."
            if words
            else f"{report.title} is not scheduled."
        )
        request.session.flash(message, "success")
        return _url(request, "report", report=report.name)

    back = _url(request, "report", report=report.name)
    return handle_form(request, _schedule_form(request, report), act, back=back)


def includeme(config: Configurator) -> None:
    config.include("poser.apps.site.routes")  # the ids predicate
    base = "/apps/{app}/data-sets/{data_set_id}/reports"
    routes = {
        "reports": ("", ("data_set_id",)),
        "report": ("/{report}", ("data_set_id",)),
        "report_run": ("/{report}/run", ("data_set_id",)),
        "report_again": ("/{report}/runs/{job_id}/again", ("data_set_id", "job_id")),
        "report_schedule": ("/{report}/schedule", ("data_set_id",)),
    }
    for name, (suffix, ids) in routes.items():
        config.add_route(name, base + suffix, factory=app_data_set_factory, ids=ids)
    config.scan(__name__)
