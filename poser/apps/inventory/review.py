"""The inventory count's Review: its rows with the variance in units and in money, the
subtotals by department with a chart of the variance value, and the rows left out.

The widgets show and ask; the tasks (``poser.tasks.batches.inventory.review``) decide
which rows and the counts.
"""

from __future__ import annotations

from typing import Any

from poser.apps.framework.widget import Widget, WidgetContext
from poser.apps.gui.batch_steps import BatchRowsGrid, rows_grid
from poser.apps.gui.batches import current_batch
from poser.apps.gui.products import product_links
from poser.apps.widgets.chart import Chart
from poser.models.data_extraction.grid import GridColumn
from poser.models.data_extraction.inventory_review import department_subtotals
from poser.models.data_extraction.inventory_rows import review_rows
from poser.models.data_extraction.products import department_choices
from poser.tasks.batches.inventory import review
from poser.tasks.batches.inventory.handler import STATUS_WORDS

BATCH_TYPE = "inventory"


def on_exclusion_edit(ctx: WidgetContext, row_id: Any, values: dict[str, Any]) -> None:
    """The review grid's edit of a row's Excluded and Reason cells (ValueError: shown
    on the row)."""
    batch = current_batch(ctx, BATCH_TYPE)
    if batch is None:
        raise ValueError("There is no count to review.")
    review.set_exclusion(
        batch, int(row_id), values.get("excluded"), values.get("exclude_reason"),
        ctx.request.identity,
    )  # fmt: skip


def review_columns(ctx: WidgetContext) -> list[GridColumn]:
    """The grid's columns; its departments are the data set's."""
    return [
        GridColumn("line", "Line", type="int"),
        GridColumn("file_name", "File", visible=False),
        GridColumn("section", "Section"),
        GridColumn("upc", "UPC"),
        GridColumn("description", "Description"),
        GridColumn(
            "department_id",
            "Department",
            type="choice",
            choices=department_choices(ctx.dbsession, ctx.data_set.id),
            visible=False,
        ),
        GridColumn("on_hand_before", "On-hand before", type="decimal"),
        GridColumn("counted_units", "Counted", type="decimal"),
        GridColumn("new_on_hand", "New on-hand", type="decimal"),
        GridColumn("variance_units", "Variance", type="decimal"),
        GridColumn("variance_percent", "Variance %", type="decimal", visible=False),
        GridColumn("variance_cost", "At cost", type="decimal"),
        GridColumn("variance_retail", "At retail", type="decimal"),
        GridColumn("status", "Status", type="choice", choices=list(STATUS_WORDS.items())),
        GridColumn("flagged", "Flagged", type="bool"),
        GridColumn("moved_since", "Moved since counted", type="decimal"),
        GridColumn("message", "Message", sortable=False),
        GridColumn("excluded", "Excluded", type="bool", editable=True),
        GridColumn("exclude_reason", "Why excluded", editable=True, sortable=False),
    ]


def review_grid(name: str = "rows", title: str = "Counted lines") -> BatchRowsGrid:
    """The count's rows with the variance in units and money; Excluded and its reason
    are edited in place while the count waits to be applied."""
    return rows_grid(
        BATCH_TYPE,
        review_rows,
        name=name,
        title=title,
        columns=review_columns,
        key="id",
        download_name="inventory-rows",
        links={"upc": product_links("product_upc", "product_id")},
        badges={"status": "row"},
        editable=True,
        on_edit=on_exclusion_edit,
        formats={
            "variance_cost": "money_change",
            "variance_retail": "money_change",
            "variance_percent": "percent_change",
        },
    )


def _variance_by_department(ctx: WidgetContext) -> list[tuple[str, Any]]:
    batch = current_batch(ctx, BATCH_TYPE)
    if batch is None or batch.status not in ("populated", "executed"):
        return []
    rows = ctx.dbsession.execute(department_subtotals(batch.id))
    return [(row.department, row.variance_cost) for row in rows]


def review_widgets() -> list[Widget]:
    """The Review step's widgets before the grid."""
    return [
        Chart(
            name="variance",
            title="Variance at cost by department",
            kind="bar",
            query=_variance_by_department,
            y_label="Variance at cost",
            value_format="{:,.2f}",
            width=6,
        ),
    ]


def report_widgets() -> list[Widget]:
    """The Report step's widgets after the report."""
    return []
