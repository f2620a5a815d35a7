"""ExecuteFunction: runs a task as a job and shows its progress, log and Cancel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyramid.httpexceptions import HTTPSeeOther

from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.models.data_extraction.jobs import latest_job
from poser.tasks import jobs
from poser.tasks.job_kinds import get_kind
from poser.tasks.job_progress import read_progress


@dataclass
class ExecuteFunction(Widget):
    """``kind`` is a registered job kind (data set scope). ``parameters(ctx)`` gives its
    plain values (e.g. from the Application's parameters); ``blockers(ctx)`` lists the
    reasons it cannot run yet. A successful run marks the step done."""

    kind: str = ""
    label: str = "Run"
    parameters: Callable[[WidgetContext], dict[str, Any]] | None = None
    blockers: Callable[[WidgetContext], list[str]] | None = None
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
        }

    def actions(self) -> dict[str, WidgetAction]:
        return {"run": WidgetAction(self.run, permission="edit", methods=("POST",))}

    def run(self, ctx: WidgetContext) -> HTTPSeeOther:
        request = ctx.request
        reasons = self.blockers(ctx) if self.blockers else []
        job = latest_job(ctx.dbsession, ctx.data_set.id, self.kind)
        if reasons:
            request.session.flash("Not yet: " + " ".join(reasons), "warning")
        elif job is not None and not job.finished:
            request.session.flash("It is already running.", "info")
        else:
            parameters = dict(self.parameters(ctx) if self.parameters else {})
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
