"""ExecuteFunction: runs a task as a job and shows its progress, log and Cancel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import colander
import deform
from pyramid.response import Response

from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.site.forms import CSRFSchema, FormError, handle_form, make_form
from poser.models.data_extraction.jobs import latest_job
from poser.tasks import jobs
from poser.tasks.job_kinds import JobKind, Task, kind_of
from poser.tasks.job_progress import read_progress
from poser.tasks.jobs import TaskError
from poser.utils.labels import started_words


@dataclass
class ExecuteFunction(Widget):
    """``kind`` is the task to run: a function `job_kind` declares (data set scope), or
    its JobKind, as `jobs.submit` takes it; a kind's name is refused, so a reader and an
    editor follow the widget to its task. ``parameters(ctx)`` gives its
    plain values (e.g. from the Application's parameters, or from what the form names);
    a TaskError it raises refuses the run with its message. ``blockers(ctx)`` lists the
    reasons it cannot run yet. ``form_fields(ctx)`` are hidden fields the form sends
    back: what the page showed (e.g. which batch, at which version), for ``parameters``
    to check. A successful run marks the step done."""

    kind: Task | JobKind | None = None
    label: str = "Run"
    parameters: Callable[[WidgetContext], dict[str, Any]] | None = None
    blockers: Callable[[WidgetContext], list[str]] | None = None
    form_fields: Callable[[WidgetContext], dict[str, str]] | None = None
    template: str = field(default="widgets/execute.jinja2", repr=False)
    completes_step = True

    def __post_init__(self) -> None:
        if self.kind is not None:
            kind_of(self.kind)  # a kind's name, or anything not a task, is refused here

    @property
    def job_kind(self) -> JobKind:
        if self.kind is None:
            raise ValueError(f"widget {self.name!r}: name the task it runs (kind=)")
        return kind_of(self.kind)

    def shown_job(self, ctx: WidgetContext) -> Any:
        """The job the widget shows: the data set's latest of its kind."""
        return latest_job(ctx.dbsession, ctx.data_set.id, self.job_kind.name)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        job = self.shown_job(ctx)
        live = read_progress(ctx.request.find_service(name="jobs").store, job.id) if job else None
        return {
            "job": job,
            "live": live,
            "running": job is not None and not job.finished,
            "title": self.job_kind.title,
            "may_manage": ctx.may_edit,
            "blockers": self.blockers(ctx) if self.blockers else [],
            "fields": self.form_fields(ctx) if self.form_fields else {},
        }

    def actions(self) -> dict[str, WidgetAction]:
        return {"run": WidgetAction(self.run, permission="edit", methods=("POST",))}

    def schema(self, ctx: WidgetContext) -> colander.Schema:
        """What the run form sends: its CSRF token and ``form_fields``."""
        schema = CSRFSchema()
        for name in self.form_fields(ctx) if self.form_fields else {}:
            schema.add(hidden_field(name))
        return schema

    def job_parameters(self, ctx: WidgetContext, values: dict[str, Any]) -> dict[str, Any]:
        """The job's parameters, from ``parameters(ctx)``; a subclass may read the form's
        ``values``. A TaskError refuses the run with its message."""
        return dict(self.parameters(ctx) if self.parameters else {})

    def run(self, ctx: WidgetContext) -> Response:
        request = ctx.request

        def act(values: dict[str, Any]) -> None:
            try:
                jobs.refuse_while_running(ctx.dbsession, self.job_kind, ctx.data_set)
                parameters = self.job_parameters(ctx, values)
                reasons = self.blockers(ctx) if self.blockers else []
                if reasons:
                    raise TaskError("Not yet: " + " ".join(reasons))
                parameters[jobs.STEP_PARAMETER] = ctx.step_key
                jobs.submit(
                    ctx.dbsession,
                    request.find_service(name="jobs"),
                    self.job_kind,
                    data_set=ctx.data_set,
                    user=request.identity,
                    parameters=parameters,
                )
            except TaskError as error:
                raise FormError(str(error)) from error

        form = make_form(request, self.schema(ctx), name=f"run-{self.name}")
        started = started_words(self.job_kind.title)
        return handle_form(request, form, act, back=ctx.step_url(), flash=started)


def hidden_field(
    name: str, typ: colander.SchemaType | None = None, title: str = ""
) -> colander.SchemaNode:
    """A field the page fills (which batch it showed): a missing one is the task's to
    refuse, in its own words."""
    return colander.SchemaNode(
        typ or colander.String(), name=name, title=title, widget=deform.widget.HiddenWidget(),
        missing=colander.drop,
    )  # fmt: skip
