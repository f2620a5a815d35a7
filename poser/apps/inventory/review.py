"""The inventory count's Review and Report: its rows with the variance in units and in
money, the subtotals by department with a chart of the variance value, the recount list
of the flagged rows, the rows left out of the apply, and the revert of an applied count.

The exclusion and revert widgets are the shared ones (`poser.apps.gui.batch_review`)
over the count's tasks (``poser.tasks.batches.inventory.review`` and ``.revert``), in
the count's words; the widgets show and ask, the tasks decide.
"""

from __future__ import annotations

from typing import Any

from poser.apps.framework.widget import Widget, WidgetContext
from poser.apps.gui import batch_review
from poser.apps.gui.batch_review import (
    LeaveOut,
    RevertPanel,
    ReviewControl,
    ReviewTasks,
)
from poser.apps.gui.batch_steps import BatchRowsGrid
from poser.apps.inventory.variance import (
    DepartmentSubtotals,
    RecountList,
    variance_chart,
)
from poser.models.data_extraction.grid_state import GridColumn
from poser.models.data_extraction.inventory_rows import (
    applied_products,
    excluded_rows,
    review_rows,
)
from poser.models.data_extraction.products import department_choices
from poser.models.orm import Batch
from poser.tasks.batches import BatchError
from poser.tasks.batches.inventory import revert, review
from poser.tasks.sessions import session_of
from poser.utils.labels import INVENTORY_ROW_STATUSES

BATCH_TYPE = "inventory"
#: What the source select names the lines typed in.
TYPED_WORDS = "Lines typed in"


def _sources(batch: Batch) -> list[tuple[str, str]]:
    """The files the count's lines come from, for the forms that name lines: each by
    its place (a name could be anything), in words."""
    return [
        (str(place), name or TYPED_WORDS)
        for place, name in enumerate(review.sources(batch), start=1)
    ]


def _source(batch: Batch, values: dict[str, Any]) -> str | None:
    """The source the form chose (None: none chose, the count has one)."""
    chosen = str(values.get("source") or "").strip()
    if not chosen:
        return None
    names = review.sources(batch)
    if not (chosen.isascii() and chosen.isdigit()) or not 1 <= int(chosen) <= len(names):
        raise BatchError("Choose the file the lines are of from the list.")
    return names[int(chosen) - 1]


def _plural(count: int, word: str, words: str = "") -> str:
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def planned(batch: Batch) -> list[str]:
    """What reverting an applied count would do, in a sentence."""
    products = applied_products(session_of(batch), batch.id)
    return [
        f"The on-hand of {_plural(products, 'product')} put back as it was before batch #{batch.id}"
    ]


def reverted(batch: Batch) -> str:
    """What the revert ``batch`` did, in a sentence."""
    done = batch.execution_summary or {}
    products = _plural(int(done.get("on_hand_set", 0)), "product")
    return (
        f"Batch #{batch.id} undoes batch #{batch.reverts_batch_id}: it put back the "
        f"on-hand of {products} as it was before it."
    )


#: The count's review: its tasks and its words, for the shared review widgets.
TASKS = ReviewTasks(
    batch_type=BATCH_TYPE,
    noun="count",
    counts=review.review_counts,
    exclude_flagged=review.exclude_flagged,
    exclude_lines=lambda batch, values, user: review.exclude_lines(
        batch, values["lines"], user, values["reason"], _source(batch, values)
    ),
    include=lambda batch, values: review.include_rows(
        batch, values["lines"], _source(batch, values)
    ),
    set_exclusion=review.set_exclusion,
    left_out=excluded_rows,
    revert_batch=revert.revert_batch,
    why_not_revertible=revert.why_not_revertible,
    planned=planned,
    reverted=reverted,
    sources=_sources,
    more=[
        LeaveOut(
            "exclude_moved",
            label="Exclude the rows moved since counted",
            prompt="Why leave out the rows moved since counted?",
            task=review.exclude_moved,
        )
    ],
    flagged_words="Flagged for recount (past a threshold)",
    revert_note=(
        "A product whose on-hand changed since this count was applied (another count, "
        "an edit) is left as it is; the new batch lists it."
    ),
)


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
        GridColumn("new_on_hand", "New on-hand", type="decimal", visible=False),
        GridColumn("variance_units", "Variance", type="decimal"),
        GridColumn("variance_percent", "Variance %", type="decimal", visible=False),
        GridColumn("variance_cost", "At cost", type="decimal"),
        GridColumn("variance_retail", "At retail", type="decimal"),
        GridColumn("status", "Status", type="choice", choices=list(INVENTORY_ROW_STATUSES.items())),
        GridColumn("flagged", "Flagged", type="bool", visible=False),
        GridColumn("moved_since", "Moved since counted", type="decimal"),
        GridColumn("message", "Message", sortable=False),
        GridColumn("excluded", "Excluded", type="bool", editable=True),
        GridColumn("exclude_reason", "Why excluded", editable=True, sortable=False),
    ]


def review_grid(name: str = "rows", title: str = "Counted lines") -> BatchRowsGrid:
    """The count's rows with the variance in units and in money; Excluded and its
    reason are edited in place while the count waits to be applied."""
    return batch_review.review_grid(
        TASKS,
        review_rows,
        name=name,
        title=title,
        columns=review_columns,
        download_name="inventory-rows",
        formats={
            "on_hand_before": "units",
            "counted_units": "units",
            "new_on_hand": "units",
            "variance_units": "units_change",
            "variance_cost": "money_change",
            "variance_retail": "money_change",
            "variance_percent": "percent_change",
            "moved_since": "units_change",
        },
    )


def review_widgets() -> list[Widget]:
    """The Review step's widgets before the grid: the variance by department (chart
    and table), the recount list, and what is left out of the apply."""
    return [
        variance_chart("variance", "Variance value by department", BATCH_TYPE, width=6),
        DepartmentSubtotals("departments", title="Variance by department", width=6),
        RecountList("recount", title="Recount list"),
        ReviewControl("control", title="Flagged rows, and rows left out", tasks=TASKS),
    ]


def report_widgets() -> list[Widget]:
    """The Report step's widgets after the report: what the count changed by
    department, the rows left out, and the revert."""
    return [
        DepartmentSubtotals("departments", title="Variance by department"),
        RevertPanel("revert", title="Rows left out, and revert", tasks=TASKS),
    ]
