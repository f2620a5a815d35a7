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
from poser.apps.catalog.upload import BATCH_INPUT, CatalogUpload
from poser.apps.framework.application import Application, Step, StepGroup
from poser.apps.framework.widget import WidgetContext
from poser.apps.gui.batch_list import BatchList
from poser.apps.gui.batches import BatchPanel, BatchReport, current_batch
from poser.apps.parameters import Parameter, ParameterGroup, typed_values
from poser.apps.widgets.chart import Chart
from poser.apps.widgets.parameter_form import ParameterForm
from poser.models.data_extraction.batches import (
    cost_change_distribution,
    status_counts,
    vendor_code_choices,
)
from poser.models.data_extraction.parameters import stored_parameters


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
            choices_of=lambda ctx: vendor_code_choices(ctx.dbsession, ctx.data_set.id),
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


def _status_chart(ctx: WidgetContext) -> list[tuple[str, int]]:
    batch = current_batch(ctx, "catalog")
    return status_counts(batch) if batch else []


def _change_chart(ctx: WidgetContext) -> list[tuple[str, int]]:
    batch = current_batch(ctx, "catalog")
    return cost_change_distribution(ctx.dbsession, batch.id) if batch else []


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
    step_groups=[
        StepGroup(
            "Prepare",
            [
                Step(
                    "Options",
                    "options",
                    [ParameterForm("options", title="Options", group="catalog_options")],
                    help="Whose catalog it is, and how to treat what it changes.",
                ),
                Step(
                    "Upload",
                    "upload",
                    [
                        CatalogUpload("file", title="Catalog file", options=_options),
                        BatchPanel("batch", title="Current batch", list_step="batches"),
                        ColumnChoice("columns", title="Columns of the file"),
                    ],
                    help="A CSV or Excel file from the vendor, with at least a UPC column "
                    "and a case or unit cost. Uploading makes a new batch.",
                ),
            ],
        ),
        StepGroup(
            "Review and apply",
            [
                Step(
                    "Review",
                    "review",
                    [
                        BatchPanel("batch", title="Current batch", list_step="batches"),
                        Chart(
                            name="statuses",
                            title="Rows by status",
                            kind="bar",
                            query=_status_chart,
                            y_label="Rows",
                            width=6,
                        ),
                        Chart(
                            name="changes",
                            title="Unit cost changes",
                            kind="bar",
                            query=_change_chart,
                            y_label="Rows",
                            width=6,
                        ),
                        ReviewControl("control", title="Flagged rows, and rows left out"),
                        review_grid(),
                    ],
                    help="Filter by status; sort by the change. Rows in error are skipped "
                    "once acknowledged.",
                ),
                Step(
                    "Apply",
                    "apply",
                    [
                        BatchPanel("batch", title="Current batch", list_step="batches"),
                        CatalogApply(
                            "apply", title="Apply the catalog", label="Apply the new costs"
                        ),
                    ],
                    help="Applies every change of the batch at once, or none if anything "
                    "fails. A batch is applied once: now, or, when it is dated after today, "
                    "on its date.",
                    inputs=(BATCH_INPUT,),
                ),
                Step(
                    "Report",
                    "report",
                    [
                        BatchReport("report", title="Change report"),
                        RevertPanel("revert", title="Rows left out, and revert"),
                    ],
                    help="What the batch changed, as CSV and Excel.",
                ),
            ],
        ),
        StepGroup(
            "History",
            [
                Step(
                    "All batches",
                    "batches",
                    [BatchList("batches", title="Batches")],
                    help="Every catalog uploaded to this data set, newest first: open one "
                    "to review or apply it, or delete one that was not applied.",
                ),
            ],
        ),
    ],
)
