"""The Upload step's column choice: each column of the batch's file, with the Poser
column it is read as, chosen from a list. Saving reads the batch again with those
columns and remembers them with the vendor (`poser.tasks.batches.catalog.columns`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import colander
import deform
from pyramid.response import Response

from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.gui.batches import batch_schema, current_batch
from poser.apps.site.forms import FormError, handle_form, kept_for_page, make_form
from poser.models.data_extraction.batch_list import failed_since, live_batch
from poser.models.orm import Batch
from poser.tasks.batches import BatchError
from poser.tasks.batches import requests as batch_requests
from poser.tasks.batches.catalog.columns import COLUMN_LABELS, file_headers, read_again_with

#: What a column's list offers: not read, or one of Poser's columns.
CHOICES = [("", "Not read"), *COLUMN_LABELS.items()]
FORM_NAME = "catalog-columns"


def _field(index: int) -> str:
    return f"column_{index}"


@dataclass
class ColumnChoice(Widget):
    """The columns of the batch the steps show (or of a newer file that could not be
    read), while it is not applied."""

    template: str = field(default="widgets/catalog_columns.jinja2", repr=False)

    def batch(self, ctx: WidgetContext) -> Batch | None:
        shown = current_batch(ctx, "catalog")
        if shown is None:
            return None
        newer = failed_since(ctx.dbsession, ctx.data_set.id, "catalog", shown.id)
        batch = newer[0] if newer else shown
        return batch if batch.status in ("populated", "failed") else None

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = self.batch(ctx) if ctx.may_edit else None
        headers = file_headers(batch, ctx.request.find_service(name="files")) if batch else []
        kept = kept_for_page(ctx.request, FORM_NAME) or {}
        return {
            "batch": batch,
            "headers": [(_field(i), text, chosen) for i, (text, chosen) in enumerate(headers)],
            "choices": CHOICES,
            "fields": batch_requests.shown_fields(batch) if batch else {},
            "problems": [message for message in (kept.get("errors") or {}).values() if message],
            "kept": kept.get("values") or {},
        }

    def actions(self) -> dict[str, WidgetAction]:
        return {"save": WidgetAction(self.save, permission="edit", methods=("POST",))}

    def _form(self, ctx: WidgetContext, headers: list[tuple[str, str | None]]) -> deform.Form:
        schema = batch_schema()
        offered = [value for value, _ in CHOICES]
        for index, (text, _) in enumerate(headers):
            schema.add(
                colander.SchemaNode(
                    colander.String(),
                    name=_field(index),
                    title=text,
                    missing="",
                    validator=colander.OneOf(offered, msg_err="Choose a column from the list."),
                )
            )
        return make_form(ctx.request, schema, name=FORM_NAME)

    def save(self, ctx: WidgetContext) -> Response:
        request = ctx.request
        batch = self._posted(ctx)
        headers = file_headers(batch, request.find_service(name="files")) if batch else []

        def act(values: dict[str, Any]) -> None:
            chosen = {text: values[_field(i)] or None for i, (text, _) in enumerate(headers)}
            try:
                batch = read_again_with(
                    ctx.data_set,
                    values,
                    chosen,
                    request.find_service(name="jobs"),
                    request.identity,
                )
            except BatchError as error:
                raise FormError(str(error)) from error
            request.session.flash(
                f"Batch #{batch.id} is read again with the columns you chose; they are kept "
                "for this vendor's next file.",
                "success",
            )

        return handle_form(request, self._form(ctx, headers), act, back=ctx.step_url())

    def _posted(self, ctx: WidgetContext) -> Batch | None:
        try:
            batch_id = int(ctx.request.POST.get(batch_requests.BATCH_FIELD, ""))
        except ValueError:
            return None
        return live_batch(ctx.dbsession, ctx.data_set.id, "catalog", batch_id)
