"""The Catalog Application: a vendor's catalog, uploaded, reviewed, applied, reported.

It works on the Products Application's data sets: a catalog changes the costs of the
products there. Each upload makes a new batch; the steps show the current one (the
newest, unless it could not be read while an earlier one waits for review) or the one
the operator opened from the list of batches (All batches).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from poser.apps.catalog.columns import ColumnChoice
from poser.apps.catalog.review import CatalogApply, RevertPanel, ReviewControl, review_grid
from poser.apps.catalog.upload import CatalogUpload
from poser.apps.framework.application import Application
from poser.apps.framework.widget import WidgetContext
from poser.apps.gui.batch_steps import BatchSteps, batch_step_groups
from poser.apps.gui.batches import current_batch
from poser.apps.parameters import Parameter, ParameterGroup, typed_values
from poser.apps.widgets.chart import Chart
from poser.models.data_extraction.batches import (
    cost_change_distribution,
    vendor_code_choices,
)
from poser.models.data_extraction.parameters import stored_parameters


def _vendors(ctx: WidgetContext) -> list[tuple[str, str]]:
    return vendor_code_choices(ctx.dbsession, ctx.data_set.id)


def _tolerance_problem(value: Decimal) -> str | None:
    return None if Decimal(0) <= value <= Decimal(1000) else "Give a percent from 0 to 1000."


OPTIONS = ParameterGroup(
    "catalog_options",
    "Catalog options",
    [
        Parameter(
            "catalog_vendor",
            "Usual vendor",
            "choice",
            required=False,
            choices_of=_vendors,
            help="The vendor the Upload step offers first; you choose the vendor of each "
            "file as you upload it.",
        ),
        Parameter(
            "catalog_effective_date",
            "Effective date",
            "date",
            required=False,
            help="When the vendor's new costs take effect: a batch dated after today is "
            "applied on that date (or now, if you confirm it); kept in the change report.",
        ),
        Parameter(
            "catalog_new_items",
            "New items",
            "choice",
            default="skip",
            choices=(("skip", "List them only"), ("add", "Add them as new products")),
            help="Items in the catalog that the data set does not have yet.",
        ),
        Parameter(
            "catalog_tolerance",
            "Flag cost changes over (%)",
            "decimal",
            default=Decimal("10"),
            validator=_tolerance_problem,
            help="A row whose unit cost changes by more than this is flagged for review.",
        ),
    ],
)


def _options(ctx: WidgetContext) -> dict[str, Any]:
    return typed_values(OPTIONS.parameters, stored_parameters(ctx.dbsession, ctx.data_set.id))


def _change_chart(ctx: WidgetContext) -> list[tuple[str, int]]:
    batch = current_batch(ctx, "catalog")
    rows = cost_change_distribution(ctx.dbsession, batch.id) if batch else []
    return rows if any(count for _, count in rows) else []


#: The catalog's journey: the shared batch steps (`poser.apps.gui.batch_steps`) with
#: the catalog's vendor, rows, apply, and widgets of its own.
STEPS = BatchSteps(
    batch_type="catalog",
    noun="catalog",
    options=OPTIONS,
    details=(("Vendor", "vendor_code", _vendors),),
    upload=CatalogUpload("file", title="Catalog file", options=_options),
    upload_widgets=[ColumnChoice("columns", title="Columns of the file")],
    status_chart_width=6,
    review_widgets=[
        Chart(
            name="changes",
            title="Unit cost changes",
            kind="bar",
            query=_change_chart,
            y_label="Rows",
            width=6,
            empty="No unit cost changes to chart.",
        ),
        ReviewControl("control", title="Flagged rows, and rows left out"),
    ],
    rows=review_grid(),
    apply=CatalogApply("apply", title="Apply the catalog", label="Apply the new costs"),
    report_widgets=[RevertPanel("revert", title="Rows left out, and revert")],
    titles={"report": "Change report"},
    help={
        "options": "Whose catalog it is, and how to treat what it changes.",
        "upload": "A CSV or Excel file from the vendor, with at least a UPC column and a "
        "case or unit cost. Uploading makes a new batch.",
        "review": "Filter by status; sort by the change. Rows in error are skipped once "
        "acknowledged.",
        "report": "What the batch changed, as CSV and Excel.",
        "batches": "Every catalog uploaded to this data set, newest first: open one to "
        "review or apply it, or delete one that was not applied.",
    },
)

CATALOG = Application(
    name="Vendor catalogs",
    url_name="catalog",
    description="Upload a vendor's catalog, see what would change, apply the new costs, "
    "and download the change report.",
    icon="truck",
    data_sets_of="products",
    parameters=[OPTIONS],
    examples={"Sample Store": "poser:data/sample_store.xlsx"},
    default_example="Sample Store",
    step_groups=batch_step_groups(STEPS),
)
