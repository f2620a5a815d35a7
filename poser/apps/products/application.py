"""The Products Application: browse and edit a data set's catalog, see its margins."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from poser.apps.framework.application import Application, Step, StepGroup
from poser.apps.framework.widget import WidgetContext
from poser.apps.gui.products import product_links
from poser.apps.parameters import Parameter, ParameterGroup
from poser.apps.products.lists import DEPARTMENTS, NEEDS_A_PRICE, VENDORS
from poser.apps.products.product_forms import (
    ADD_PRODUCT,
    DELETE_PRODUCT,
    PLACE_PRODUCT,
    RETIRE_PRODUCT,
)
from poser.apps.products.start import StartHere
from poser.apps.products.widgets import ProductLookup
from poser.apps.widgets.chart import Chart, Target
from poser.apps.widgets.content import Html
from poser.apps.widgets.grid import Grid
from poser.apps.widgets.parameter_form import ParameterForm
from poser.models.data_extraction.grid_state import GridColumn
from poser.models.data_extraction.parameters import stored_parameters
from poser.models.data_extraction.product_search import DescriptionSearch
from poser.models.data_extraction.products import (
    department_choices,
    preferred_vendor_condition,
    product_grid,
    vendor_choices,
)
from poser.models.orm import Product
from poser.tasks.margins import margins_by_department
from poser.tasks.product_history import edit_on_page
from poser.tasks.products import update_product
from poser.tasks.products_data import PRODUCTS_FORMAT


def _grid_columns(ctx: WidgetContext) -> list[GridColumn]:
    """The catalog's columns. Over a million products a sort is quick only when an index
    holds that order (data set, column, id), so only such columns sort (UPC,
    description, brand, price, margin); the others would sort a whole data set each
    time."""
    departments = department_choices(ctx.dbsession, ctx.data_set.id)
    vendors = vendor_choices(ctx.dbsession, ctx.data_set.id)
    return [
        GridColumn("upc", "UPC"),
        GridColumn(
            "description",
            "Description",
            editable=True,
            required=True,
            condition=DescriptionSearch(ctx.dbsession, ctx.data_set.id).condition,
        ),
        GridColumn("brand", "Brand", editable=True),
        GridColumn("size", "Size", editable=True, sortable=False),
        # The rows show the department's name; the filter compares the product's own
        # department id (the choices' values).
        GridColumn(
            "department",
            "Department",
            expression=Product.department_id,
            type="choice",
            choices=departments or [("", "(none)")],
            sortable=False,
        ),
        GridColumn(
            "vendor",
            "Vendor",
            type="choice",
            choices=vendors or [("", "(none)")],
            sortable=False,
            condition=preferred_vendor_condition(ctx.dbsession, ctx.data_set.id),
        ),
        GridColumn("regular_price", "Price", type="decimal", editable=True),
        GridColumn("unit_cost", "Unit cost", type="decimal", sortable=False),
        GridColumn("margin_percent", "Margin %", type="decimal"),
        GridColumn("on_hand", "On hand", type="decimal", visible=False, sortable=False),
        GridColumn("active", "Active", type="bool", editable=True, sortable=False),
    ]


def _edit(ctx: WidgetContext, product_id: Any, values: dict[str, Any]) -> None:
    source = edit_on_page(ctx.request.identity, ctx.application.url_name, ctx.step.slug)
    update_product(ctx.data_set, int(product_id), values, source=source)


def _data_set_target(ctx: WidgetContext) -> Decimal:
    target: Decimal = PRICING.parameters[0].from_json(
        stored_parameters(ctx.dbsession, ctx.data_set.id).get("target_margin")
    )
    return target


def _margins(ctx: WidgetContext) -> list[tuple[str, Any, Any]]:
    """Each department's average margin and its target: its own, else the data set's."""
    margins = margins_by_department(ctx.data_set, _data_set_target(ctx))
    return [(margin.department, margin.average, margin.target) for margin in margins]


def _target_text(ctx: WidgetContext) -> str:
    target = _data_set_target(ctx)
    return (
        f"The target margin is **{target}%**. A department with a target of its own is "
        "measured against that one. Departments under their target are worth a look in "
        "the catalog: filter by department and by margin."
    )


def _percent(value: Decimal) -> str | None:
    return None if Decimal("0") <= value < Decimal("100") else "Give a percent from 0 to 99.99."


PRICING = ParameterGroup(
    "pricing",
    "Pricing",
    [
        Parameter(
            "target_margin",
            "Target margin (%)",
            "decimal",
            default=Decimal("30"),
            validator=_percent,
            help="The margin the store aims for on regular prices. Once saved, it also "
            "prices a vendor catalog's new items in a department without a target of its own.",
        ),
    ],
)

PRODUCTS = Application(
    name="Products",
    url_name="products",
    description="Browse and edit the catalog: departments, vendors, prices and margins.",
    icon="basket",
    parameters=[PRICING],
    examples={"Sample Store": "poser:data/sample_store.xlsx"},
    default_example="Sample Store",
    data=PRODUCTS_FORMAT,
    step_groups=[
        StepGroup(
            "Catalog",
            [
                Step(
                    "Products",
                    "catalog",
                    [
                        StartHere("start"),
                        Grid(
                            name="products",
                            title="Products",
                            query=lambda ctx: product_grid(ctx.data_set.id),
                            columns=_grid_columns,
                            key="id",
                            editable=True,
                            on_edit=_edit,
                            download_name="products",
                            links={"upc": product_links()},
                            wrap=frozenset({"vendor"}),
                            input_widths={"description": "wide", "size": "narrow"},
                            formats={
                                "regular_price": "money",
                                "unit_cost": "money",
                                "margin_percent": "percent",
                            },
                        ),
                    ],
                    help="Filter, sort and page the catalog; download what you see; edit cells "
                    "in place (prices, descriptions, brands, sizes, active).",
                ),
                Step(
                    "Product",
                    "product",
                    [
                        ProductLookup("lookup", title="Look up a product"),
                        PLACE_PRODUCT,
                        RETIRE_PRODUCT,
                        DELETE_PRODUCT,
                        ADD_PRODUCT,
                    ],
                    help="A product's details, every vendor's cost for it and its history; "
                    "set its department and vendor, retire it, or add a product.",
                ),
                NEEDS_A_PRICE,
                DEPARTMENTS,
                VENDORS,
            ],
        ),
        StepGroup(
            "Analysis",
            [
                Step(
                    "Margins",
                    "margins",
                    [
                        Chart(
                            name="margins",
                            title="Average margin by department",
                            kind="bar",
                            query=_margins,
                            series=("Average margin", "Target"),
                            target=Target("Target"),
                            y_label="Margin %",
                            value_format="{:,.2f} %",
                            width=8,
                        ),
                        ParameterForm("pricing", title="Target", group="pricing", width=4),
                        Html("target", markdown=_target_text),
                    ],
                    inputs=("pricing", "products"),
                ),
            ],
        ),
    ],
)
