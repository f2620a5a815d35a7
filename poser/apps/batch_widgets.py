"""Widgets for batches: the current batch (its file, progress, counts, and what it
needs before it can be applied) and its report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther

from poser.apps.framework.after_commit import remove_after_commit
from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.models.data_extraction.batches import (
    STATUS_LABELS,
    batch_exports,
    latest_batch,
    recent_batches,
)
from poser.models.data_extraction.jobs import latest_job
from poser.models.orm import Batch
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.job_progress import read_progress

POPULATE_KIND = "batches.populate"


def current_batch(ctx: WidgetContext, batch_type: str) -> Batch | None:
    """The data set's latest batch of this type (cached for the request)."""
    cache = ctx.request.__dict__.setdefault("_poser_batches", {})
    key = (ctx.data_set.id, batch_type)
    if key not in cache:
        cache[key] = latest_batch(ctx.dbsession, ctx.data_set.id, batch_type)
    return cache[key]


def _posted_batch(ctx: WidgetContext, batch_type: str) -> Batch:
    """The batch a form names; it must be this data set's current one, so a stale page
    never acknowledges or deletes a batch its operator did not see."""
    batch = current_batch(ctx, batch_type)
    if batch is None or ctx.request.POST.get("batch_id") != str(batch.id):
        raise HTTPNotFound()
    return batch


@dataclass
class BatchPanel(Widget):
    """The current batch: file, options, status counts, the job reading it, and the
    Acknowledge and Delete buttons."""

    batch_type: str = "catalog"
    template: str = field(default="widgets/batch_panel.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = current_batch(ctx, self.batch_type)
        job = latest_job(ctx.dbsession, ctx.data_set.id, POPULATE_KIND)
        if batch is None or job is None or job.parameters.get("batch_id") != batch.id:
            job = None
        handler = get_handler(self.batch_type)
        return {
            "batch": batch,
            "job": job,
            "live": read_progress(ctx.request.find_service(name="jobs").store, job.id)
            if job
            else None,
            "running": job is not None and not job.finished,
            "labels": STATUS_LABELS,
            "waiting": handler.needs_acknowledgement(batch) if batch else 0,
            "blockers": handler.why_not_executable(batch) if batch else [],
            "may_manage": ctx.may_edit,
        }

    def actions(self) -> dict[str, WidgetAction]:
        return {
            "acknowledge": WidgetAction(self.acknowledge, permission="edit", methods=("POST",)),
            "delete": WidgetAction(self.delete, permission="edit", methods=("POST",)),
        }

    def acknowledge(self, ctx: WidgetContext) -> HTTPSeeOther:
        batch = _posted_batch(ctx, self.batch_type)
        get_handler(self.batch_type).acknowledge(batch, ctx.request.identity)
        ctx.request.session.flash(
            "Acknowledged: the rows in error will be skipped when the batch is applied.",
            "success",
        )
        return HTTPSeeOther(location=ctx.step_url())

    def delete(self, ctx: WidgetContext) -> HTTPSeeOther:
        batch = _posted_batch(ctx, self.batch_type)
        try:
            folder = get_handler(self.batch_type).delete(batch)
        except BatchError as error:
            ctx.request.session.flash(str(error), "warning")
        else:
            remove_after_commit(ctx.request, [folder])
            ctx.request.session.flash(f"Batch {batch.id} was deleted, with its file.", "success")
        return HTTPSeeOther(location=ctx.step_url())


@dataclass
class BatchReport(Widget):
    """What the current batch changed, its report files, and the batches before it."""

    batch_type: str = "catalog"
    template: str = field(default="widgets/batch_report.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = current_batch(ctx, self.batch_type)
        return {
            "batch": batch,
            "exports": batch_exports(ctx.dbsession, batch.id) if batch else [],
            "history": recent_batches(ctx.dbsession, ctx.data_set.id, self.batch_type),
        }
