"""The Catalog Application: a vendor's catalog, uploaded, reviewed, applied, reported.

It works on the Products Application's data sets: a catalog changes the costs of the
products there. Each upload makes a new batch; the steps show the latest one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pyramid.httpexceptions import HTTPSeeOther

from poser.apps.framework.application import Application, Step, StepGroup
from poser.apps.framework.widget import WidgetContext
from poser.apps.gui.batches import BatchApply, BatchPanel, BatchReport, current_batch
from poser.apps.gui.products import product_links
from poser.apps.parameters import Parameter, ParameterGroup, typed_values
from poser.apps.widgets.chart import Chart
from poser.apps.widgets.file_upload import FileUpload
from poser.apps.widgets.grid import Grid
from poser.apps.widgets.parameter_form import ParameterForm
from poser.models.data_extraction.batches import (
    STATUS_LABELS,
    catalog_rows,
    cost_change_distribution,
    status_counts,
    vendor_code_choices,
    vendor_id_by_code,
)
from poser.models.data_extraction.grid import GridColumn
from poser.models.data_extraction.parameters import stored_parameters
from poser.models.orm import Upload
from poser.tasks.batches import BatchError
from poser.tasks.batches.jobs import start_batch
from poser.tasks.steps import touch_inputs
from poser.utils.tabular import CATALOG_COLUMNS

BATCH_INPUT = "catalog_batch"
_COLUMN_NAMES = tuple(spec.name for spec in CATALOG_COLUMNS.specs)


def parse_mapping(text: str | None) -> dict[str, str | None]:
    """ "Our Pack = case_size; Net = case_cost; Notes = -" -> a header mapping ("-" ignores
    the column). Raises ValueError with a message for the operator."""
    mapping: dict[str, str | None] = {}
    for part in (text or "").replace("\n", ";").split(";"):
        if not part.strip():
            continue
        header, sep, column = (piece.strip() for piece in part.partition("="))
        if not sep or not header or not column:
            raise ValueError(f"{part.strip()!r}: write it as Header = column.")
        if column != "-" and column not in _COLUMN_NAMES:
            raise ValueError(f"{column!r} is not a column; use one of {', '.join(_COLUMN_NAMES)}.")
        mapping[header] = None if column == "-" else column
    return mapping


def _mapping_problem(text: str) -> str | None:
    try:
        parse_mapping(text)
    except ValueError as error:
        return str(error)
    return None


def _tolerance_problem(value: Decimal) -> str | None:
    return None if Decimal(0) <= value <= Decimal(1000) else "Give a percent from 0 to 1000."


OPTIONS = ParameterGroup(
    "catalog_options",
    "Catalog options",
    [
        Parameter(
            "catalog_vendor",
            "Vendor",
            "choice",
            choices_of=lambda ctx: vendor_code_choices(ctx.dbsession, ctx.data_set.id),
            help="Whose catalog you upload: its costs are compared with this vendor's.",
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
        Parameter(
            "catalog_mapping",
            "Column mapping",
            required=False,
            validator=_mapping_problem,
            help="Only for a vendor whose headers are not recognised: Header = column, "
            "separated by ';' (e.g. 'Net Cost = case_cost; Notes = -'). Columns: "
            + ", ".join(_COLUMN_NAMES)
            + ".",
        ),
    ],
)


def _options(ctx: WidgetContext) -> dict[str, Any]:
    return typed_values(OPTIONS.parameters, stored_parameters(ctx.dbsession, ctx.data_set.id))


def _make_batch(ctx: WidgetContext, upload: Upload) -> HTTPSeeOther:
    """An upload makes a batch (the file moves into it) and starts reading it."""
    request = ctx.request
    options = _options(ctx)
    vendor_id = vendor_id_by_code(ctx.dbsession, ctx.data_set.id, options["catalog_vendor"] or "")
    options_url = request.route_path(
        "app_step", app=ctx.application.url_name, data_set_id=ctx.data_set.id, step="options"
    )
    if vendor_id is None:
        request.session.flash(
            "Choose the vendor on the Options step, then upload again.", "warning"
        )
        return HTTPSeeOther(location=options_url)
    effective = options["catalog_effective_date"]
    parameters = {
        "vendor_id": vendor_id,
        "tolerance_percent": str(options["catalog_tolerance"]),
        "new_items": options["catalog_new_items"],
        "effective_date": effective.isoformat() if effective else None,
        "mapping": parse_mapping(options["catalog_mapping"]),
    }
    try:
        start_batch(
            ctx.data_set,
            request.find_service(name="files"),
            request.find_service(name="jobs"),
            "catalog",
            upload=upload,
            parameters=parameters,
            user=request.identity,
        )
    except BatchError as error:
        request.session.flash(str(error), "danger")
        return HTTPSeeOther(location=options_url)
    touch_inputs(ctx.data_set, [BATCH_INPUT])
    return HTTPSeeOther(
        location=request.route_path(
            "app_step", app=ctx.application.url_name, data_set_id=ctx.data_set.id, step="review"
        )
    )


def _batch_rows(ctx: WidgetContext) -> int | None:
    """How many rows the current batch has, as reading its file counted them."""
    batch = current_batch(ctx, "catalog")
    return batch.row_count if batch and batch.status in ("populated", "executed") else None


def _batch_id(ctx: WidgetContext) -> int:
    batch = current_batch(ctx, "catalog")
    return batch.id if batch else -1  # no batch: an empty grid


ROW_COLUMNS = [
    GridColumn("line", "Line", type="int"),
    GridColumn("upc", "UPC"),
    GridColumn("vendor_item_code", "Item code"),
    GridColumn("description", "Description"),
    GridColumn("status", "Status", type="choice", choices=list(STATUS_LABELS.items())),
    GridColumn("flagged", "Flagged", type="bool"),
    GridColumn("old_case_size", "Old pack", type="int", visible=False),
    GridColumn("case_size", "Pack", type="int"),
    GridColumn("old_unit_cost", "Old unit cost", type="decimal"),
    GridColumn("unit_cost", "Unit cost", type="decimal"),
    GridColumn("cost_change", "Change", type="decimal"),
    GridColumn("cost_change_percent", "Change %", type="decimal"),
    GridColumn("message", "Message", sortable=False),
]


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
                        FileUpload("file", title="Catalog file", on_upload=_make_batch),
                        BatchPanel("batch", title="Current batch"),
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
                        BatchPanel("batch", title="Current batch"),
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
                        Grid(
                            name="rows",
                            title="Rows",
                            query=lambda ctx: catalog_rows(_batch_id(ctx)),
                            columns=ROW_COLUMNS,
                            key="id",
                            download_name="catalog-rows",
                            links={"upc": product_links("product_upc", "product_id")},
                            unfiltered_total=_batch_rows,
                            formats={
                                "old_unit_cost": "money",
                                "unit_cost": "money",
                                "cost_change": "money_change",
                                "cost_change_percent": "percent_change",
                            },
                        ),
                    ],
                    help="Filter by status; sort by the change. Rows in error are skipped "
                    "once acknowledged.",
                ),
                Step(
                    "Apply",
                    "apply",
                    [
                        BatchPanel("batch", title="Current batch"),
                        BatchApply("apply", title="Apply the catalog", label="Apply the new costs"),
                    ],
                    help="Applies every change of the batch at once, or none if anything "
                    "fails. A batch is applied once: now, or, when it is dated after today, "
                    "on its date.",
                    inputs=(BATCH_INPUT,),
                ),
                Step(
                    "Report",
                    "report",
                    [BatchReport("report", title="Change report")],
                    help="What the batch changed, as CSV and Excel.",
                ),
            ],
        ),
    ],
)
