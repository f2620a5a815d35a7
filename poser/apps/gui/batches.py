"""Widgets for batches of any type: the current batch (its file, progress, counts, and
what it needs before it can be applied), applying it (now, or on its effective date),
and its report. Every form names the batch and the version its page showed; the tasks
decide whether that is still the batch to act on.

Each widget names its ``batch_type`` (its handler's, `poser.tasks.batches`); the pages
call a file of the type by its ``noun`` and show the batch's ``details``: (label,
parameter) pairs such as ("Vendor", "vendor_code"). `batch_steps` makes a type's steps
of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import colander
from pyramid.response import Response

from poser.apps.framework.after_commit import remove_after_commit
from poser.apps.framework.widget import (
    Widget,
    WidgetAction,
    WidgetContext,
    action_route_name,
)
from poser.apps.gui.batch_details import Details, detail_texts
from poser.apps.site.forms import CSRFSchema, FormError, handle_form, make_form
from poser.apps.widgets.execute import ExecuteFunction, hidden_field
from poser.models.data_extraction.batch_list import (
    current_batch_of,
    failed_since,
    same_file_batch,
)
from poser.models.data_extraction.batches import STATUS_LABELS, batch_report, recent_batches
from poser.models.data_extraction.jobs import latest_job
from poser.models.data_extraction.steps import DONE, NOT_STARTED
from poser.models.orm import Batch
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.batches import jobs as batch_jobs
from poser.tasks.batches import requests as batch_requests
from poser.tasks.batches.base import early_until, effective_date, took_effect
from poser.tasks.job_kinds import JobKind, Task, kind_of
from poser.tasks.job_progress import read_progress
from poser.utils.labels import status_words

#: The session key of the batches operators opened from the list, by data set and type.
OPENED_KEY = "poser.opened_batches"


def opened(ctx: WidgetContext, batch_type: str) -> int | None:
    """The batch the operator opened from the list of batches, for the steps to show
    instead of the current one; None when they show the current one."""
    found = ctx.request.session.get(OPENED_KEY, {}).get(f"{ctx.data_set.id}:{batch_type}")
    return found if isinstance(found, int) else None


def open_batch(ctx: WidgetContext, batch_type: str, batch_id: int) -> None:
    """Have the steps show this batch (the operator's choice, kept in the session)."""
    chosen = dict(ctx.request.session.get(OPENED_KEY, {}))
    chosen[f"{ctx.data_set.id}:{batch_type}"] = batch_id
    ctx.request.session[OPENED_KEY] = chosen
    ctx.request.__dict__.pop("_poser_batches", None)


def forget_opened(ctx: WidgetContext, batch_type: str) -> None:
    """Have the steps show the current batch again."""
    chosen = dict(ctx.request.session.get(OPENED_KEY, {}))
    if chosen.pop(f"{ctx.data_set.id}:{batch_type}", None) is not None:
        ctx.request.session[OPENED_KEY] = chosen
    ctx.request.__dict__.pop("_poser_batches", None)


def current_batch(ctx: WidgetContext, batch_type: str) -> Batch | None:
    """The batch the steps show (cached for the request): the one the operator opened
    from the list, else the data set's current batch of this type."""
    cache = ctx.request.__dict__.setdefault("_poser_batches", {})
    key = (ctx.data_set.id, batch_type)
    if key not in cache:
        cache[key] = batch_requests.shown_batch(ctx.data_set, batch_type, opened(ctx, batch_type))
    return cache[key]


def _job_of(ctx: WidgetContext, task: Task, batch: Batch | None) -> Any:
    """The latest job of ``task`` about ``batch``."""
    if batch is None:
        return None
    return latest_job(ctx.dbsession, ctx.data_set.id, kind_of(task).name, batch_id=batch.id)


def row_labels(batch: Batch | None) -> dict[str, str]:
    """The words of the row statuses a batch counts: the shared ones in their order,
    then any other its type uses (as its key reads, "counted": "Counted")."""
    counts = (batch.status_counts or {}) if batch is not None else {}
    others = {key: status_words("row", key) for key in counts if key not in STATUS_LABELS}
    return {**STATUS_LABELS, **others}


def status_chart_rows(batch: Batch | None) -> list[tuple[str, int]]:
    """(words, rows) for each row status the batch counts, for a chart."""
    counts = (batch.status_counts or {}) if batch is not None else {}
    return [(label, counts[key]) for key, label in row_labels(batch).items() if counts.get(key)]


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


def acted(
    ctx: WidgetContext,
    act: Callable[[dict[str, Any]], Any],
    message: Callable[[Any], str],
    schema: colander.Schema | None = None,
    name: str = "batch",
) -> Response:
    """Do what a form asks through its task: done, back to the step with ``message``;
    refused (a BatchError), back to the step with the task's reason, nothing changed.
    The form is ``schema`` (the batch's id and version when None), named ``name`` and
    the widget's."""

    def run(values: dict[str, Any]) -> None:
        try:
            outcome = act(values)
        except BatchError as error:
            raise FormError(str(error)) from error
        ctx.request.session.flash(message(outcome), "success")

    form = make_form(ctx.request, schema or batch_schema(), name=f"{name}-{ctx.widget.name}")
    return handle_form(ctx.request, form, run, back=ctx.step_url())


@dataclass
class BatchPanel(Widget):
    """The current batch: file, options, schedule, status counts, the job reading it,
    and the Acknowledge and Delete buttons."""

    batch_type: str = ""
    noun: str = "file"
    details: Details = ()
    #: The step and widget of the list of batches (BatchList), which the panel links to.
    list_step: str | None = None
    list_widget: str = "batches"
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
            "labels": row_labels(batch),
            "waiting": handler.needs_acknowledgement(batch) if batch else 0,
            "blockers": handler.why_not_executable(batch) if batch else [],
            "may_manage": ctx.may_edit,
            "fields": batch_requests.shown_fields(batch) if batch else {},
            "detail_texts": detail_texts(ctx, self.details),
            **self._around(ctx, batch),
        }

    def _around(self, ctx: WidgetContext, batch: Batch | None) -> dict[str, Any]:
        """What the operator should know besides the batch: that it is one they opened
        (and which is the current one), uploads since it that could not be read, and
        an earlier batch of the same file."""
        links = self._links(ctx)
        if batch is None:
            return {"current": None, "failed": [], "same_file": None, **links}
        current = current_batch_of(ctx.dbsession, ctx.data_set.id, self.batch_type)
        digest = (batch.parameters or {}).get("sha256")
        same = (
            same_file_batch(ctx.dbsession, ctx.data_set.id, self.batch_type, digest, batch.id)
            if digest
            else None
        )
        return {
            "current": current if current is not None and current.id != batch.id else None,
            "failed": failed_since(ctx.dbsession, ctx.data_set.id, self.batch_type, batch.id),
            "same_file": same,
            **links,
        }

    def _links(self, ctx: WidgetContext) -> dict[str, Any]:
        """The list of batches, and a batch opened from it (None without a list)."""
        if self.list_step is None:
            return {"list_url": None, "open_url": None}
        route = action_route_name(
            ctx.application.url_name, self.list_step, self.list_widget, "open"
        )

        def open_url(batch_id: int, step: str = "review") -> str:
            query = {"batch": batch_id, "step": step}
            return ctx.request.route_path(route, data_set_id=ctx.data_set.id, _query=query)

        list_url = ctx.request.route_path(
            "app_step",
            app=ctx.application.url_name,
            data_set_id=ctx.data_set.id,
            step=self.list_step,
        )
        return {"list_url": list_url, "open_url": open_url}

    def actions(self) -> dict[str, WidgetAction]:
        """Acknowledge; and Delete when there is no list of batches, whose Delete asks
        first (the panel's Delete leads there)."""
        actions = {
            "acknowledge": WidgetAction(self.acknowledge, permission="edit", methods=("POST",))
        }
        if self.list_step is None:
            actions["delete"] = WidgetAction(self.delete, permission="edit", methods=("POST",))
        return actions

    def acknowledge(self, ctx: WidgetContext) -> Response:
        return acted(
            ctx,
            lambda values: batch_requests.acknowledge(
                ctx.data_set,
                self.batch_type,
                values,
                ctx.request.identity,
                opened(ctx, self.batch_type),
            ),
            lambda batch: (
                "Acknowledged: the rows in error will be skipped when the batch is applied."
            ),
        )

    def delete(self, ctx: WidgetContext) -> Response:
        def act(values: dict[str, Any]) -> int:
            batch_id, folder = batch_requests.delete(
                ctx.data_set,
                self.batch_type,
                values,
                ctx.request.identity,
                opened=opened(ctx, self.batch_type),
            )
            remove_after_commit(ctx.request, [folder])
            return batch_id

        return acted(
            ctx, act, lambda batch_id: f"Batch #{batch_id} was deleted, with its rows and its file."
        )


@dataclass
class BatchApply(ExecuteFunction):
    """Apply the current batch. One whose effective date is after today is applied on
    that date by the scheduler ("Apply on <date>", the first choice offered), or now
    once the operator confirms applying it early."""

    batch_type: str = ""
    kind: Task | JobKind | None = batch_jobs.execute
    template: str = field(default="widgets/batch_apply.jinja2", repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.blockers = self.blockers or self._blockers
        self.form_fields = self.form_fields or self._fields

    def schema(self, ctx: WidgetContext) -> colander.Schema:
        return batch_schema(early=True)

    def job_parameters(self, ctx: WidgetContext, values: dict[str, Any]) -> dict[str, Any]:
        return batch_requests.apply_now(
            ctx.data_set,
            self.batch_type,
            values,
            ctx.request.identity,
            opened=opened(ctx, self.batch_type),
        )

    def step_state(self, ctx: WidgetContext) -> str:
        """Done when the batch the steps show is applied, whichever way it was (this
        form, the scheduler, the terminal); not started while it is not."""
        batch = current_batch(ctx, self.batch_type)
        return DONE if batch is not None and batch.status == "executed" else NOT_STARTED

    def _blockers(self, ctx: WidgetContext) -> list[str]:
        batch = current_batch(ctx, self.batch_type)
        if batch is None:
            return ["Upload a file first."]
        return get_handler(self.batch_type).why_not_executable(batch)

    def _fields(self, ctx: WidgetContext) -> dict[str, str]:
        batch = current_batch(ctx, self.batch_type)
        return batch_requests.shown_fields(batch) if batch else {}

    def shown_job(self, ctx: WidgetContext) -> Any:
        """The latest apply of a batch of this type (a scheduled one that failed, say):
        not one of another type that works on the same data sets."""
        return latest_job(
            ctx.dbsession, ctx.data_set.id, self.job_kind.name, batch_type=self.batch_type
        )

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

    def scheduled(self, ctx: WidgetContext, values: dict[str, Any]) -> Batch:
        """The batch the form names, now to be applied on its date (a BatchError says
        why not)."""
        return batch_requests.schedule(
            ctx.data_set,
            self.batch_type,
            values,
            ctx.request.identity,
            ctx.step_key,
            opened=opened(ctx, self.batch_type),
        )

    def schedule(
        self, ctx: WidgetContext, schema: colander.Schema | None = None, name: str = "batch"
    ) -> Response:
        """Apply on its date (the form is ``schema`` and ``name``, as `acted`'s)."""
        return acted(
            ctx,
            lambda values: self.scheduled(ctx, values),
            lambda batch: (
                f"Batch {batch.id} will be applied on {batch.scheduled_for}, as "
                "you, unless it changes before then."
            ),
            schema=schema,
            name=name,
        )

    def unschedule(self, ctx: WidgetContext) -> Response:
        return acted(
            ctx,
            lambda values: batch_requests.unschedule(
                ctx.data_set, self.batch_type, values, opened(ctx, self.batch_type)
            ),
            lambda batch: f"Batch {batch.id} is no longer scheduled: it waits to be applied.",
        )


@dataclass
class BatchReport(Widget):
    """What the current batch changed, its report files (or the job writing them), and
    the batches before it."""

    batch_type: str = ""
    noun: str = "file"
    details: Details = ()
    template: str = field(default="widgets/batch_report.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = current_batch(ctx, self.batch_type)
        report = batch_report(ctx.dbsession, batch.id) if batch else None
        job = None if report else _job_of(ctx, batch_jobs.report, batch)
        # The batches before the one on screen, which may be an older one opened.
        before = batch.id if batch else 0
        history = recent_batches(ctx.dbsession, ctx.data_set.id, self.batch_type, before=before)
        return {
            "batch": batch,
            "dated": batch is not None and effective_date(batch) is not None,
            "took_effect": took_effect(batch) if batch else None,
            "report": report,
            "job": job,
            "live": _live(ctx, job),
            "may_manage": ctx.may_edit,
            "history": history,
            "detail_texts": detail_texts(ctx, self.details),
        }
