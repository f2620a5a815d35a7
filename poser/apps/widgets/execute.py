"""ExecuteFunction: runs a task as a job and shows its progress, log and Cancel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.response import Response

from poser.apps.framework.render import render_step
from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.models.data_extraction.jobs import latest_job
from poser.tasks import jobs
from poser.tasks.job_kinds import get_kind
from poser.tasks.job_progress import read_progress
from poser.tasks.jobs import TaskError


@dataclass
class ExecuteFunction(Widget):
    """``kind`` is a registered job kind (data set scope). ``parameters(ctx)`` gives its
    plain values (e.g. from the Application's parameters, or from what the form names);
    a TaskError it raises refuses the run with its message. ``blockers(ctx)`` lists the
    reasons it cannot run yet. ``form_fields(ctx)`` are hidden fields the form sends
    back: what the page showed (e.g. which batch, at which version), for ``parameters``
    to check. A successful run marks the step done."""

    kind: str = ""
    label: str = "Run"
    parameters: Callable[[WidgetContext], dict[str, Any]] | None = None
    blockers: Callable[[WidgetContext], list[str]] | None = None
    form_fields: Callable[[WidgetContext], dict[str, str]] | None = None
    template: str = field(default="widgets/execute.jinja2", repr=False)
    completes_step = True

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        job = latest_job(ctx.dbsession, ctx.data_set.id, self.kind)
        running = job is not None and not job.finished
        return {
            "job": job,
            "live": read_progress(ctx.request.find_service(name="jobs").store, job.id)
            if job
            else None,
            "title": get_kind(self.kind).title,
            "may_manage": ctx.may_edit,
            "blockers": self.blockers(ctx) if self.blockers else [],
            "running": running,
            "fields": self.form_fields(ctx) if self.form_fields else {},
        }

    def actions(self) -> dict[str, WidgetAction]:
        return {"run": WidgetAction(self.run, permission="edit", methods=("POST",))}

    def run(self, ctx: WidgetContext) -> Response:
        request = ctx.request
        job = latest_job(ctx.dbsession, ctx.data_set.id, self.kind)
        if job is not None and not job.finished:
            return refuse(ctx, "It is already running: nothing more was started.")
        try:
            parameters = dict(self.parameters(ctx) if self.parameters else {})
        except TaskError as error:
            return refuse(ctx, str(error))
        reasons = self.blockers(ctx) if self.blockers else []
        if reasons:
            return refuse(ctx, "Not yet: " + " ".join(reasons))
        parameters[jobs.STEP_PARAMETER] = ctx.step.slug
        jobs.submit(
            ctx.dbsession,
            request.find_service(name="jobs"),
            self.kind,
            data_set=ctx.data_set,
            user=request.identity,
            parameters=parameters,
        )
        request.session.flash("Started.", "success")
        return HTTPSeeOther(location=ctx.step_url())


def refuse(ctx: WidgetContext, message: str) -> Response:
    """A form that cannot be done as sent: its step again, as it is now, with the reason
    (409: the page the form came from no longer matches what is there)."""
    ctx.request.session.flash(message, "warning")
    response = render_step(ctx.request, ctx.step)
    response.status_int = 409
    return response
