"""Widgets for batches: the current batch (its file, progress, counts, and what it
needs before it can be applied), applying it (now, or on its effective date), and its
report. Every form names the batch and the version its page showed; the tasks decide
whether that is still the batch to act on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import colander
from pyramid.response import Response

from poser.apps.framework.after_commit import remove_after_commit
from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.site.forms import CSRFSchema, FormError, handle_form, make_form
from poser.apps.widgets.execute import ExecuteFunction, hidden_field
from poser.models.data_extraction.batches import (
    STATUS_LABELS,
    batch_report,
    latest_batch,
    recent_batches,
)
from poser.models.data_extraction.jobs import latest_job
from poser.models.orm import Batch
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.batches import jobs as batch_jobs
from poser.tasks.batches import requests as batch_requests
from poser.tasks.batches.base import early_until, effective_date, took_effect
from poser.tasks.job_kinds import JobKind, Task, kind_of
from poser.tasks.job_progress import read_progress


def current_batch(ctx: WidgetContext, batch_type: str) -> Batch | None:
    """The data set's latest batch of this type (cached for the request)."""
    cache = ctx.request.__dict__.setdefault("_poser_batches", {})
    key = (ctx.data_set.id, batch_type)
    if key not in cache:
        cache[key] = latest_batch(ctx.dbsession, ctx.data_set.id, batch_type)
    return cache[key]


def _job_of(ctx: WidgetContext, task: Task, batch: Batch | None) -> Any:
    """The latest job of ``task`` in the data set, if it is about ``batch``."""
    job = latest_job(ctx.dbsession, ctx.data_set.id, kind_of(task).name)
    if batch is None or job is None or job.parameters.get("batch_id") != batch.id:
        return None
    return job


def _live(ctx: WidgetContext, job: Any) -> Any:
    return read_progress(ctx.request.find_service(name="jobs").store, job.id) if job else None


def batch_schema(early: bool = False) -> colander.Schema:
    """What a batch's form sends: the batch and version its page showed (and, to apply
    one before its effective date, that date)."""
    schema = CSRFSchema()
    schema.add(hidden_field(batch_requests.BATCH_FIELD, colander.Integer(), title="Batch"))
    version = hidden_field(batch_requests.VERSION_FIELD, colander.Integer(), title="Version")
    schema.add(version)
    if early:
        schema.add(hidden_field(batch_requests.EARLY_FIELD))
    return schema


def _acted(
    ctx: WidgetContext, act: Callable[[dict[str, Any]], Any], message: Callable[[Any], str]
) -> Response:
    """Do what a form asks through its task: done, back to the step with ``message``;
    refused, back to the step with the task's reason, nothing changed."""

    def run(values: dict[str, Any]) -> None:
        try:
            outcome = act(values)
        except BatchError as error:
            raise FormError(str(error)) from error
        ctx.request.session.flash(message(outcome), "success")

    form = make_form(ctx.request, batch_schema(), name=f"batch-{ctx.widget.name}")
    return handle_form(ctx.request, form, run, back=ctx.step_url())


@dataclass
class BatchPanel(Widget):
    """The current batch: file, options, schedule, status counts, the job reading it,
    and the Acknowledge and Delete buttons."""

    batch_type: str = "catalog"
    template: str = field(default="widgets/batch_panel.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = current_batch(ctx, self.batch_type)
        job = _job_of(ctx, batch_jobs.populate, batch)
        handler = get_handler(self.batch_type)
        return {
            "batch": batch,
            "job": job,
            "live": _live(ctx, job),
            "running": job is not None and not job.finished,
            "labels": STATUS_LABELS,
            "waiting": handler.needs_acknowledgement(batch) if batch else 0,
            "blockers": handler.why_not_executable(batch) if batch else [],
            "may_manage": ctx.may_edit,
            "fields": batch_requests.shown_fields(batch) if batch else {},
        }

    def actions(self) -> dict[str, WidgetAction]:
        return {
            "acknowledge": WidgetAction(self.acknowledge, permission="edit", methods=("POST",)),
            "delete": WidgetAction(self.delete, permission="edit", methods=("POST",)),
        }

    def acknowledge(self, ctx: WidgetContext) -> Response:
        return _acted(
            ctx,
            lambda values: batch_requests.acknowledge(
                ctx.data_set, self.batch_type, values, ctx.request.identity
            ),
            lambda batch: (
                "Acknowledged: the rows in error will be skipped when the batch is applied."
            ),
        )

    def delete(self, ctx: WidgetContext) -> Response:
        def act(values: dict[str, Any]) -> int:
            batch_id, folder = batch_requests.delete(ctx.data_set, self.batch_type, values)
            remove_after_commit(ctx.request, [folder])
            return batch_id

        return _acted(ctx, act, lambda batch_id: f"Batch {batch_id} was deleted, with its file.")


@dataclass
class BatchApply(ExecuteFunction):
    """Apply the current batch. One whose effective date is after today is applied on
    that date by the scheduler ("Apply on <date>", the first choice offered), or now
    once the operator confirms applying it early."""

    batch_type: str = "catalog"
    kind: Task | JobKind | None = batch_jobs.execute
    template: str = field(default="widgets/batch_apply.jinja2", repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.blockers = self.blockers or self._blockers
        self.form_fields = self.form_fields or self._fields

    def schema(self, ctx: WidgetContext) -> colander.Schema:
        return batch_schema(early=True)

    def job_parameters(self, ctx: WidgetContext, values: dict[str, Any]) -> dict[str, Any]:
        return batch_requests.apply_now(ctx.data_set, self.batch_type, values, ctx.request.identity)

    def _blockers(self, ctx: WidgetContext) -> list[str]:
        batch = current_batch(ctx, self.batch_type)
        if batch is None:
            return ["Upload a file first."]
        return get_handler(self.batch_type).why_not_executable(batch)

    def _fields(self, ctx: WidgetContext) -> dict[str, str]:
        batch = current_batch(ctx, self.batch_type)
        return batch_requests.shown_fields(batch) if batch else {}

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = current_batch(ctx, self.batch_type)
        return {
            **super().values(ctx),
            "batch": batch,
            "early": early_until(batch) if batch else None,
            "early_field": batch_requests.EARLY_FIELD,
        }

    def actions(self) -> dict[str, WidgetAction]:
        return {
            **super().actions(),
            "schedule": WidgetAction(self.schedule, permission="edit", methods=("POST",)),
            "unschedule": WidgetAction(self.unschedule, permission="edit", methods=("POST",)),
        }

    def schedule(self, ctx: WidgetContext) -> Response:
        return _acted(
            ctx,
            lambda values: batch_requests.schedule(
                ctx.data_set,
                self.batch_type,
                values,
                ctx.request.identity,
                ctx.step.slug,
            ),
            lambda batch: (
                f"Batch {batch.id} will be applied on {batch.scheduled_for}, as "
                "you, unless it changes before then."
            ),
        )

    def unschedule(self, ctx: WidgetContext) -> Response:
        return _acted(
            ctx,
            lambda values: batch_requests.unschedule(ctx.data_set, self.batch_type, values),
            lambda batch: f"Batch {batch.id} is no longer scheduled: it waits to be applied.",
        )


@dataclass
class BatchReport(Widget):
    """What the current batch changed, its report files (or the job writing them), and
    the batches before it."""

    batch_type: str = "catalog"
    template: str = field(default="widgets/batch_report.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = current_batch(ctx, self.batch_type)
        report = batch_report(ctx.dbsession, batch.id) if batch else None
        job = None if report else _job_of(ctx, batch_jobs.report, batch)
        return {
            "batch": batch,
            "dated": batch is not None and effective_date(batch) is not None,
            "took_effect": took_effect(batch) if batch else None,
            "report": report,
            "job": job,
            "live": _live(ctx, job),
            "may_manage": ctx.may_edit,
            "history": recent_batches(ctx.dbsession, ctx.data_set.id, self.batch_type),
        }
