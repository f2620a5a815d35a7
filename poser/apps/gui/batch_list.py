"""BatchList: every batch of a data set of one type, newest first, each of which the
operator can open (the steps then show it), review, apply or delete. Deleting asks
first: the list's Delete link shows a confirmation with the form that deletes (a POST,
with the batch and version the list showed), and the deletion goes back to the list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.response import Response

from poser.apps.framework.after_commit import remove_after_commit
from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.gui.batch_details import Details, detail_texts
from poser.apps.gui.batches import acted, current_batch, forget_opened, open_batch
from poser.models.data_extraction.batch_list import (
    current_batch_of,
    listed_batches,
    live_batch,
    reverted_by,
)
from poser.tasks.batches import requests as batch_requests
from poser.tasks.batches.base import effective_date

#: The query parameter of the list that asks to confirm deleting a batch.
CONFIRM = "delete"


def _number(value: object) -> int | None:
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


@dataclass
class BatchList(Widget):
    """``steps`` names the steps a batch opens on: ``review`` and ``apply``."""

    batch_type: str = ""
    details: Details = ()
    steps: dict[str, str] = field(default_factory=lambda: {"review": "review", "apply": "apply"})
    template: str = field(default="widgets/batch_list.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batches = listed_batches(ctx.dbsession, ctx.data_set.id, self.batch_type)
        shown = current_batch(ctx, self.batch_type)
        current = current_batch_of(ctx.dbsession, ctx.data_set.id, self.batch_type)
        asked = ctx.request.GET.get(CONFIRM)
        confirm = None
        if asked is not None and ctx.may_edit:
            number = _number(asked)
            found = (
                live_batch(ctx.dbsession, ctx.data_set.id, self.batch_type, number)
                if number
                else None
            )
            confirm = found if found is not None and found.status != "executed" else None
        return {
            "batches": batches,
            "shown_id": shown.id if shown else None,
            "current_id": current.id if current else None,
            "effective": {batch.id: effective_date(batch) for batch in batches},
            "reverted_by": reverted_by(ctx.dbsession, batches),
            "confirm": confirm,
            "asked": asked,
            "confirm_fields": batch_requests.shown_fields(confirm) if confirm else {},
            "may_manage": ctx.may_edit,
            "detail_texts": detail_texts(ctx, self.details),
        }

    def actions(self) -> dict[str, WidgetAction]:
        return {
            "open": WidgetAction(self.open, permission="view"),
            "delete": WidgetAction(self.delete, permission="edit", methods=("POST",)),
        }

    def open(self, ctx: WidgetContext) -> Response:
        """Show the batch on the step asked for (its review by default): the steps show
        it until the operator opens another, uploads, or it is deleted."""
        request = ctx.request
        step = request.GET.get("step", "review")
        slug = self.steps.get(step)
        number = _number(request.GET.get("batch", ""))
        batch = (
            live_batch(ctx.dbsession, ctx.data_set.id, self.batch_type, number) if number else None
        )
        if batch is None or slug is None:
            request.session.flash(
                "There is no such batch here (it may have been deleted): choose one from the list.",
                "danger",
            )
            return HTTPSeeOther(location=ctx.step_url())
        current = current_batch_of(ctx.dbsession, ctx.data_set.id, self.batch_type)
        if current is not None and current.id == batch.id:
            forget_opened(ctx, self.batch_type)
        else:
            open_batch(ctx, self.batch_type, batch.id)
        return HTTPSeeOther(
            location=request.route_path(
                "app_step", app=ctx.application.url_name, data_set_id=ctx.data_set.id, step=slug
            )
        )

    def delete(self, ctx: WidgetContext) -> Response:
        def act(values: dict[str, Any]) -> int:
            batch_id, folder = batch_requests.delete(
                ctx.data_set, self.batch_type, values, ctx.request.identity, listed=True
            )
            remove_after_commit(ctx.request, [folder])
            return batch_id

        return acted(
            ctx,
            act,
            lambda batch_id: (
                f"Batch #{batch_id} was deleted, with its rows and its file. Its number is not "
                "given to another batch."
            ),
        )
