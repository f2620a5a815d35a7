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

from poser.apps.framework.widget import WidgetContext
from poser.apps.gui import batch_review
from poser.apps.gui.batch_review import FlaggedApply, ReviewTasks
from poser.apps.gui.batch_steps import BatchRowsGrid
from poser.apps.gui.products import product_links
from poser.apps.widgets.grid_cells import RowHref, format_number
from poser.models.data_extraction.batches import STATUS_LABELS
from poser.models.data_extraction.catalog_review import excluded_rows, review_rows
from poser.models.data_extraction.grid_state import GridColumn
from poser.models.orm import Batch
from poser.tasks.batches.catalog import revert, review

BATCH_TYPE = "catalog"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def planned(batch: Batch) -> list[str]:
    """What reverting ``batch`` would do, in sentences."""
    plan = revert.planned(batch)
    lines = [
        f"{_plural(plan['costs_restored'], 'cost')} put back as they were before batch #{batch.id}"
    ]
    if plan["costs_removed"]:
        lines.append(f"{_plural(plan['costs_removed'], 'cost')} it added to products removed")
    if plan["items_retired"]:
        lines.append(
            f"{_plural(plan['items_retired'], 'product')} it added made inactive, without this "
            "vendor's cost (kept, with their history; never deleted)"
        )
    return lines


def reverted(batch: Batch) -> str:
    """What the revert ``batch`` did, in a sentence."""
    done = batch.execution_summary or {}
    text = (
        f"Batch #{batch.id} undoes batch #{batch.reverts_batch_id}: it put back "
        f"{_plural(done.get('costs_updated', 0), 'cost')} as they were before it"
    )
    if done.get("costs_removed"):
        text += f", removed {_plural(done['costs_removed'], 'cost')} it had added"
    if done.get("items_retired"):
        text += (
            f", and made {_plural(done['items_retired'], 'product')} it had added inactive "
            "(kept, with their history)"
        )
    return text + "."


#: The catalog's review: its tasks and its words, for the shared review widgets.
TASKS = ReviewTasks(
    batch_type=BATCH_TYPE,
    noun="catalog",
    counts=review.review_counts,
    exclude_flagged=review.exclude_flagged,
    exclude_lines=lambda batch, values, user: review.exclude_lines(
        batch, values["lines"], user, values["reason"]
    ),
    include=lambda batch, values: review.include_rows(batch, values["lines"]),
    set_exclusion=review.set_exclusion,
    left_out=excluded_rows,
    revert_batch=revert.revert_batch,
    why_not_revertible=revert.why_not_revertible,
    planned=planned,
    reverted=reverted,
    flagged_words="Flagged rows (cost changes past the tolerance)",
    revert_note=(
        "A product changed since this batch was applied (its cost edited, another batch "
        "applied, a new product priced) is left as it is; the new batch lists it."
    ),
)


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
class ReviewControl(batch_review.ReviewControl):
    """The shared review control, with the largest flagged changes still in the apply."""

    tasks: ReviewTasks = field(default=TASKS, kw_only=True)
    template: str = field(default="widgets/catalog_review.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        found = super().values(ctx)
        batch, counts = found["batch"], found.get("counts")
        found["changes"] = _changes(ctx, batch) if counts and counts.flagged_included else []
        return found


@dataclass
class RevertPanel(batch_review.RevertPanel):
    """The shared revert panel over the catalog's tasks."""

    tasks: ReviewTasks = field(default=TASKS, kw_only=True)


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
    GridColumn("cost_change", "Unit cost change", type="decimal"),
    GridColumn("cost_change_percent", "Change %", type="decimal"),
    GridColumn("new_margin", "Margin at today's price", type="decimal"),
    GridColumn("message", "Message", sortable=False),
]


def review_grid(name: str = "rows", title: str = "Rows") -> BatchRowsGrid:
    """The batch's rows with their case costs, the margin the new cost leaves at the
    product's price today, and whether each is left out: Excluded and its reason are
    edited in place while the batch waits to be applied."""
    return batch_review.review_grid(
        TASKS,
        review_rows,
        name=name,
        title=title,
        columns=REVIEW_COLUMNS,
        download_name="catalog-rows",
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
class CatalogApply(FlaggedApply):
    """Apply the catalog; while flagged rows are in it, only with a confirmation that
    names how many, under the largest of their changes."""

    batch_type: str = BATCH_TYPE
    template: str = field(default="widgets/catalog_apply.jinja2", repr=False)
    confirm_field: str = field(default=review.CONFIRM_FIELD, kw_only=True)
    check_confirmed: Callable[[Batch, Any], None] = field(
        default=review.check_confirmed, kw_only=True, repr=False
    )

    def flagged(self, ctx: WidgetContext, batch: Batch | None) -> tuple[int, dict[str, Any]]:
        counts = review.review_counts(batch) if batch else None
        waiting = counts.flagged_included if counts else 0
        return waiting, {
            "counts": counts,
            "changes": _changes(ctx, batch) if waiting and batch else [],
        }
