"""The catalog's review controls: leaving rows out of the apply (every flagged row, or
lines of the file; the grid's Excluded column does one row), putting them back, the
confirmation an apply of flagged rows needs, and the revert of an applied batch.

The widgets show and ask; the tasks (``poser.tasks.batches.catalog.review`` and
``.revert``) decide which rows, the counts, the largest changes and whether a form still
names the batch as the page showed it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import colander
from pyramid.response import Response

from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.gui.batch_steps import BatchRowsGrid, rows_grid
from poser.apps.gui.batches import (
    BatchApply,
    batch_schema,
    current_batch,
    forget_opened,
    opened,
)
from poser.apps.gui.products import product_links
from poser.apps.site.forms import FormError, handle_form, make_form
from poser.apps.widgets.execute import hidden_field
from poser.apps.widgets.grid_cells import RowHref, format_number
from poser.models.data_extraction.batches import STATUS_LABELS
from poser.models.data_extraction.catalog_review import excluded_rows, review_rows
from poser.models.data_extraction.grid import GridColumn
from poser.models.orm import Batch
from poser.tasks.batches import BatchError, exclusions
from poser.tasks.batches import requests as batch_requests
from poser.tasks.batches import revert as undoing
from poser.tasks.batches.catalog import revert, review

BATCH_TYPE = "catalog"


def _text_field(name: str, title: str) -> colander.SchemaNode:
    return colander.SchemaNode(colander.String(), name=name, title=title, missing="")


def _schema(*fields: colander.SchemaNode) -> colander.Schema:
    schema = batch_schema()
    for node in fields:
        schema.add(node)
    return schema


def _posted(ctx: WidgetContext, values: dict[str, Any]) -> Batch:
    """The batch the form names, as its page showed it (BatchError otherwise)."""
    return batch_requests.posted_batch(ctx.data_set, BATCH_TYPE, values, opened(ctx, BATCH_TYPE))


def acted(
    ctx: WidgetContext,
    act: Callable[[dict[str, Any]], Any],
    message: Callable[[Any], str],
    schema: colander.Schema,
) -> Response:
    """Do what a form asks through its task: done, back to the step with ``message``;
    refused (a BatchError), back to the step with the task's reason, nothing changed."""

    def run(values: dict[str, Any]) -> None:
        try:
            outcome = act(values)
        except BatchError as error:
            raise FormError(str(error)) from error
        ctx.request.session.flash(message(outcome), "success")

    form = make_form(ctx.request, schema, name=f"catalog-{ctx.widget.name}")
    return handle_form(ctx.request, form, run, back=ctx.step_url())


def _rows(count: int) -> str:
    return "1 row" if count == 1 else f"{count:,} rows"


def _not_applied(count: int) -> str:
    return "it will not be applied." if count == 1 else "they will not be applied."


def change_view(change: review.Change, href: RowHref) -> dict[str, Any]:
    """A change as the page reads it: money to the cent, margins with their sign, and
    the product's page."""
    return {
        "href": href({"product_upc": change.product_upc, "product_id": change.product_id}),
        "line": change.line,
        "upc": change.upc,
        "description": change.description,
        "product_id": change.product_id,
        "old_case_cost": format_number(change.old_case_cost, "money"),
        "case_cost": format_number(change.case_cost, "money"),
        "percent": format_number(change.cost_change_percent, "percent_change"),
        "price": format_number(change.price, "money"),
        "old_margin": format_number(change.old_margin, "percent"),
        "margin": format_number(change.margin, "percent"),
        "losing": change.margin is not None and change.margin < 0,
    }


def _changes(ctx: WidgetContext, batch: Batch) -> list[dict[str, Any]]:
    href = product_links("product_upc", "product_id")(ctx)
    return [change_view(change, href) for change in review.largest_changes(batch)]


@dataclass
class ReviewControl(Widget):
    """What is left out of the apply and why, the flagged rows still in it with the
    largest changes, and the forms that exclude or include rows."""

    template: str = field(default="widgets/catalog_review.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = current_batch(ctx, BATCH_TYPE)
        if batch is None or batch.status not in ("populated", "executed"):
            return {"batch": None}
        counts = review.review_counts(batch)
        return {
            "batch": batch,
            "counts": counts,
            "changes": _changes(ctx, batch) if counts.flagged_included else [],
            "may_change": ctx.may_edit and batch.status == "populated",
            "fields": batch_requests.shown_fields(batch),
            "max_reason": exclusions.MAX_REASON,
        }

    def actions(self) -> dict[str, WidgetAction]:
        return {
            name: WidgetAction(view, permission="edit", methods=("POST",))
            for name, view in (
                ("exclude_flagged", self.exclude_flagged),
                ("exclude_lines", self.exclude_lines),
                ("include", self.include),
            )
        }

    def _act(
        self,
        ctx: WidgetContext,
        fields: tuple[colander.SchemaNode, ...],
        act: Callable[[Batch, dict[str, Any]], int],
        message: Callable[[int], str],
    ) -> Response:
        return acted(
            ctx,
            lambda values: exclusions.as_shown(_posted(ctx, values), lambda b: act(b, values)),
            message,
            schema=_schema(*fields),
        )

    def exclude_flagged(self, ctx: WidgetContext) -> Response:
        return self._act(
            ctx,
            (_text_field("reason", "Reason"),),
            lambda batch, values: review.exclude_flagged(
                batch, ctx.request.identity, values["reason"]
            ),
            lambda count: f"Excluded {_rows(count)}, flagged: {_not_applied(count)}",
        )

    def exclude_lines(self, ctx: WidgetContext) -> Response:
        return self._act(
            ctx,
            (_text_field("lines", "Lines"), _text_field("reason", "Reason")),
            lambda batch, values: review.exclude_lines(
                batch, values["lines"], ctx.request.identity, values["reason"]
            ),
            lambda count: f"Excluded {_rows(count)}: {_not_applied(count)}",
        )

    def include(self, ctx: WidgetContext) -> Response:
        return self._act(
            ctx,
            (_text_field("lines", "Lines"),),
            lambda batch, values: review.include_rows(batch, values["lines"]),
            lambda count: f"Included {_rows(count)} again: they will be applied.",
        )


def on_exclusion_edit(ctx: WidgetContext, row_id: Any, values: dict[str, Any]) -> None:
    """The review grid's edit of a row's Excluded and Reason cells (ValueError: shown
    on the row)."""
    batch = current_batch(ctx, BATCH_TYPE)
    if batch is None:
        raise ValueError("There is no batch to review.")
    review.set_exclusion(
        batch, int(row_id), values.get("excluded"), values.get("exclude_reason"),
        ctx.request.identity,
    )  # fmt: skip


REVIEW_COLUMNS = [
    GridColumn("line", "Line", type="int"),
    GridColumn("upc", "UPC"),
    GridColumn("vendor_item_code", "Item code", visible=False),
    GridColumn("description", "Description"),
    GridColumn("status", "Status", type="choice", choices=list(STATUS_LABELS.items())),
    GridColumn("flagged", "Flagged", type="bool"),
    GridColumn("excluded", "Excluded", type="bool", editable=True),
    GridColumn("exclude_reason", "Why excluded", editable=True, sortable=False),
    GridColumn("old_case_size", "Old pack", type="int", visible=False),
    GridColumn("case_size", "Pack", type="int"),
    GridColumn("old_case_cost", "Case cost now", type="decimal"),
    GridColumn("case_cost", "New case cost", type="decimal"),
    GridColumn("old_unit_cost", "Unit cost now", type="decimal", visible=False),
    GridColumn("unit_cost", "New unit cost", type="decimal", visible=False),
    GridColumn("cost_change", "Change", type="decimal"),
    GridColumn("cost_change_percent", "Change %", type="decimal"),
    GridColumn("new_margin", "Margin at today's price", type="decimal"),
    GridColumn("message", "Message", sortable=False),
]


def review_grid(name: str = "rows", title: str = "Rows") -> BatchRowsGrid:
    """The batch's rows with their case costs, the margin the new cost leaves at the
    product's price today, and whether each is left out: Excluded and its reason are
    edited in place while the batch waits to be applied."""
    return rows_grid(
        BATCH_TYPE,
        review_rows,
        name=name,
        title=title,
        columns=REVIEW_COLUMNS,
        key="id",
        download_name="catalog-rows",
        links={"upc": product_links("product_upc", "product_id")},
        badges={"status": "row"},
        editable=True,
        on_edit=on_exclusion_edit,
        formats={
            "old_case_cost": "money",
            "case_cost": "money",
            "old_unit_cost": "money",
            "unit_cost": "money",
            "cost_change": "money_change",
            "cost_change_percent": "percent_change",
            "new_margin": "percent",
        },
    )


@dataclass
class CatalogApply(BatchApply):
    """Apply the catalog; while flagged rows are in it, only with a confirmation that
    names how many, under the largest of their changes."""

    batch_type: str = BATCH_TYPE
    template: str = field(default="widgets/catalog_apply.jinja2", repr=False)

    def schema(self, ctx: WidgetContext) -> colander.Schema:
        schema = super().schema(ctx)
        schema.add(hidden_field(review.CONFIRM_FIELD))
        return schema

    def job_parameters(self, ctx: WidgetContext, values: dict[str, Any]) -> dict[str, Any]:
        review.check_confirmed(_posted(ctx, values), values)
        return super().job_parameters(ctx, values)

    def schedule(self, ctx: WidgetContext) -> Response:
        """Apply on its date, as BatchApply's, once the flagged rows are confirmed."""

        def act(values: dict[str, Any]) -> Batch:
            review.check_confirmed(_posted(ctx, values), values)
            return batch_requests.schedule(
                ctx.data_set,
                BATCH_TYPE,
                values,
                ctx.request.identity,
                ctx.step.slug,
                opened=opened(ctx, BATCH_TYPE),
            )

        return acted(
            ctx,
            act,
            lambda batch: (
                f"Batch {batch.id} will be applied on {batch.scheduled_for}, as "
                "you, unless it changes before then."
            ),
            schema=_schema(hidden_field(review.CONFIRM_FIELD)),
        )

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = current_batch(ctx, BATCH_TYPE)
        counts = review.review_counts(batch) if batch and batch.status == "populated" else None
        waiting = counts.flagged_included if counts else 0
        return {
            **super().values(ctx),
            "counts": counts,
            "waiting": waiting,
            "changes": _changes(ctx, batch) if waiting and batch else [],
            "confirm_field": review.CONFIRM_FIELD,
        }


@dataclass
class RevertPanel(Widget):
    """An applied batch: the rows that were left out of it and why, and its revert (or
    the batch it reverts, and the rows that revert left alone)."""

    template: str = field(default="widgets/catalog_revert.jinja2", repr=False)
    #: How many of the rows left out the page lists.
    listed: int = 50

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = current_batch(ctx, BATCH_TYPE)
        if batch is None or batch.status != "executed":
            return {"batch": None}
        counts = review.review_counts(batch)
        reverts = undoing.reverts_of(ctx.dbsession, batch)
        href = product_links("product_upc", "product_id")(ctx)
        return {
            "batch": batch,
            "counts": counts,
            "left_out": [
                {**row._mapping, "href": href(row._mapping)}
                for row in excluded_rows(ctx.dbsession, batch.id, self.listed)
            ],
            "reverted_by": reverts[0] if reverts else None,
            "why_not": revert.why_not_revertible(batch),
            "planned": revert.planned(batch),
            "may_revert": ctx.may_edit,
            "fields": batch_requests.shown_fields(batch),
            "confirm_field": revert.CONFIRM_FIELD,
        }

    def actions(self) -> dict[str, WidgetAction]:
        return {"revert": WidgetAction(self.revert, permission="edit", methods=("POST",))}

    def revert(self, ctx: WidgetContext) -> Response:
        def act(values: dict[str, Any]) -> Batch:
            made, _ = revert.revert_batch(
                ctx.data_set, values, ctx.request.identity, ctx.request.find_service(name="jobs")
            )
            forget_opened(ctx, BATCH_TYPE)  # the steps show the revert, the newest batch
            return made

        return acted(
            ctx,
            act,
            lambda made: (
                f"Batch #{made.id} reverts batch #{made.reverts_batch_id}: it is being "
                "applied. Rows whose product changed since are left as they are; it lists them."
            ),
            schema=_schema(hidden_field(revert.CONFIRM_FIELD)),
        )
