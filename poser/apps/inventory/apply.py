"""The count's Apply and Reports.

Apply is the shared `FlaggedApply` (`poser.apps.gui.batch_review`): while rows flagged
for recount are still in the count it shows how many and the largest of them, and
applies only with the box that carries that count ticked (``counting.check_confirmed``),
as a catalog's flagged rows are confirmed; a count in "variance only" mode says that
nothing will be applied. Reports leads to the inventory valuation report of the data set
(run it here, or on its page, where it is also scheduled, e.g. the first of each month).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from poser.apps.framework.widget import Widget, WidgetContext
from poser.apps.gui.batch_review import FlaggedApply
from poser.apps.gui.batches import current_batch
from poser.apps.gui.products import product_links
from poser.apps.inventory.count import amount
from poser.apps.widgets.grid_cells import format_number
from poser.models.data_extraction.inventory_counting import largest_flagged
from poser.models.orm import Batch
from poser.tasks.batches import get_handler
from poser.tasks.batches.inventory import counting
from poser.tasks.batches.inventory.handler import MODE_WORDS
from poser.tasks.reports import find_report

BATCH_TYPE = "inventory"
VALUATION = "inventory_valuation"


def _flagged_view(ctx: WidgetContext, batch: Batch) -> list[dict[str, Any]]:
    href = product_links("product_upc", "product_id")(ctx)
    return [
        {
            **row,
            "href": href(row),
            "on_hand_before": amount(row["on_hand_before"]),
            "new_on_hand": amount(row["new_on_hand"]),
            "variance_units": amount(row["variance_units"], signed=True),
            "variance_cost": format_number(row["variance_cost"], "money_change"),
            "variance_retail": format_number(row["variance_retail"], "money_change"),
        }
        for row in largest_flagged(ctx.dbsession, batch.id)
    ]


@dataclass
class InventoryApply(FlaggedApply):
    """Apply the count; while rows flagged for recount are in it, only with a
    confirmation that names how many, under the largest of them."""

    batch_type: str = BATCH_TYPE
    template: str = field(default="widgets/inventory_apply.jinja2", repr=False)
    confirm_field: str = field(default=counting.CONFIRM_FIELD, kw_only=True)
    check_confirmed: Callable[[Batch, Any], None] = field(
        default=counting.check_confirmed, kw_only=True, repr=False
    )

    def flagged(self, ctx: WidgetContext, batch: Batch | None) -> tuple[int, dict[str, Any]]:
        waiting = get_handler(BATCH_TYPE).flagged_included(batch) if batch else 0
        return waiting, {"flagged": _flagged_view(ctx, batch) if waiting and batch else []}

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = current_batch(ctx, BATCH_TYPE)
        mode = (batch.parameters or {}).get("mode") if batch else None
        return {
            **super().values(ctx),
            "mode_words": MODE_WORDS.get(mode or "", ""),
            "variance_only": mode == "variance_only",
        }


@dataclass
class ValuationReport(Widget):
    """The inventory valuation of the data set (at cost and at retail, by department):
    run now (a job, CSV and Excel), or open its page to see past runs and schedule it."""

    template: str = field(default="widgets/inventory_reports.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        report = find_report(VALUATION)
        route = {"app": ctx.application.url_name, "data_set_id": ctx.data_set.id}
        request = ctx.request
        return {
            "report": report,
            "page_url": request.route_path("report", report=VALUATION, **route),
            "run_url": request.route_path("report_run", report=VALUATION, **route),
            "may_run": bool(request.has_permission("view")),
        }
