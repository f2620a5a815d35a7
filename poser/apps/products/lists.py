"""The Products Application's pages for the catalog's own lists: departments, vendors,
and the products that need a price. Each list is a grid (edited in place where a cell
can change) with forms beside it; every decision is a task's
(``poser.tasks.departments``, ``poser.tasks.vendors``, ``poser.tasks.products``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from poser.apps.framework.application import Step
from poser.apps.framework.widget import WidgetContext
from poser.apps.gui.products import product_links
from poser.apps.products.forms import TaskForm, as_id, choice, decimal, text, whole_number, yes_no
from poser.apps.widgets.grid import Grid
from poser.models.data_extraction.catalog_lists import (
    department_options,
    department_rows,
    unpriced_products,
    vendor_options,
    vendor_rows,
)
from poser.models.data_extraction.grid_state import GridColumn
from poser.models.data_extraction.products import product_grid
from poser.tasks.departments import add_department, delete_department, update_department
from poser.tasks.product_history import edit_on_page
from poser.tasks.products import update_product
from poser.tasks.vendors import add_vendor, delete_vendor, update_vendor

MARGIN_HELP = "A percent of the price, from 0 to 99.99: a catalog's new items are priced at it."


def _source(ctx: WidgetContext, reason: str | None = None) -> Any:
    source = edit_on_page(ctx.request.identity, ctx.application.url_name, ctx.step.slug)
    return replace(source, reason=reason) if reason else source


def _departments(ctx: WidgetContext) -> list[tuple[str, str]]:
    return department_options(ctx.dbsession, ctx.data_set.id)


def _vendors(ctx: WidgetContext) -> list[tuple[str, str]]:
    return vendor_options(ctx.dbsession, ctx.data_set.id)


# -- departments --------------------------------------------------------------------------


def _edit_department(ctx: WidgetContext, key: Any, values: dict[str, Any]) -> None:
    update_department(ctx.data_set, int(key), values)


def _add_department(ctx: WidgetContext, values: dict[str, Any]) -> str:
    department = add_department(
        ctx.data_set, values["number"], values["name"], values["target_margin"]
    )
    return f"Department {department.number} “{department.name}” is added."


def _delete_department(ctx: WidgetContext, values: dict[str, Any]) -> str:
    return delete_department(
        ctx.data_set,
        int(values["department"]),
        clear_products=values["clear_products"],
        source=_source(ctx, "Its department was deleted"),
    )


DEPARTMENTS = Step(
    "Departments",
    "departments",
    [
        Grid(
            name="departments",
            title="Departments",
            query=lambda ctx: department_rows(ctx.data_set.id),
            columns=[
                GridColumn("number", "Number", type="int", editable=True, required=True),
                GridColumn("name", "Name", editable=True, required=True),
                GridColumn("target_margin", "Target margin %", type="decimal", editable=True),
                GridColumn("products", "Products", type="int", filterable=False),
                GridColumn("vendors", "Vendors' default", type="int", filterable=False),
            ],
            editable=True,
            on_edit=_edit_department,
            download_name="departments",
            formats={"target_margin": "percent", "products": "count", "vendors": "count"},
        ),
        TaskForm(
            name="add-department",
            title="Add a department",
            width=6,
            fields=lambda ctx: [
                whole_number("number", "Number"),
                text("name", "Name", 100),
                decimal(
                    "target_margin", "Target margin (%)", description=MARGIN_HELP, maximum="99.99"
                ),
            ],
            act=_add_department,
            submit="Add the department",
        ),
        TaskForm(
            name="delete-department",
            heading="Delete a department",
            width=6,
            intro="A department that products are in is kept unless you choose to leave "
            "them without a department (each product's history says so). Vendors whose "
            "new items went to it are told to put them in none.",
            shown=lambda ctx: bool(_departments(ctx)),
            fields=lambda ctx: [
                choice("department", "Department", _departments(ctx)),
                yes_no("clear_products", "Leave its products without a department"),
            ],
            act=_delete_department,
            submit="Delete the department",
            style="btn-outline-danger",
        ),
    ],
    help="Each department's number, name and the margin it aims for. Edit cells in place.",
)


# -- vendors ------------------------------------------------------------------------------


def _edit_vendor(ctx: WidgetContext, key: Any, values: dict[str, Any]) -> None:
    update_vendor(ctx.data_set, int(key), values)


def _add_vendor(ctx: WidgetContext, values: dict[str, Any]) -> str:
    vendor = add_vendor(
        ctx.data_set, values["code"], values["name"], as_id(values["default_department"])
    )
    return f"Vendor {vendor.code} “{vendor.name}” is added."


def _set_default(ctx: WidgetContext, values: dict[str, Any]) -> str:
    department = as_id(values["default_department"])
    update_vendor(ctx.data_set, int(values["vendor"]), {"default_department_id": department})
    return (
        "Saved: its new items go to that department."
        if department
        else ("Saved: its new items go to the department their file names, or none.")
    )


def _delete_vendor(ctx: WidgetContext, values: dict[str, Any]) -> str:
    return delete_vendor(ctx.data_set, int(values["vendor"]))


def _default_department(ctx: WidgetContext) -> Any:
    return choice(
        "default_department",
        "Default department",
        _departments(ctx),
        required=False,
        empty="(none: the file's department only)",
    )


VENDORS = Step(
    "Vendors",
    "vendors",
    [
        Grid(
            name="vendors",
            title="Vendors",
            query=lambda ctx: vendor_rows(ctx.data_set.id),
            columns=[
                GridColumn("code", "Code"),
                GridColumn("name", "Name", editable=True, required=True),
                GridColumn("default_department", "Default department", sortable=False),
                GridColumn("products", "Products it costs", type="int", filterable=False),
            ],
            editable=True,
            on_edit=_edit_vendor,
            download_name="vendors",
            formats={"products": "count"},
        ),
        TaskForm(
            name="add-vendor",
            title="Add a vendor",
            width=4,
            fields=lambda ctx: [
                text("code", "Code", 20),
                text("name", "Name", 200),
                _default_department(ctx),
            ],
            act=_add_vendor,
            submit="Add the vendor",
        ),
        TaskForm(
            name="vendor-default",
            heading="Change a vendor's default department",
            width=4,
            intro="Where its catalogs' new items go when the file names no department.",
            shown=lambda ctx: bool(_vendors(ctx)),
            fields=lambda ctx: [
                choice("vendor", "Vendor", _vendors(ctx)),
                _default_department(ctx),
            ],
            act=_set_default,
            submit="Save",
        ),
        TaskForm(
            name="delete-vendor",
            heading="Delete a vendor",
            width=4,
            intro="A vendor that costs products, or that a catalog not yet applied is for, "
            "is kept: its costs are those products' margins and history.",
            shown=lambda ctx: bool(_vendors(ctx)),
            fields=lambda ctx: [choice("vendor", "Vendor", _vendors(ctx))],
            act=_delete_vendor,
            submit="Delete the vendor",
            style="btn-outline-danger",
        ),
    ],
    help="The vendors whose catalogs you upload, and the department each one's new items "
    "go to. Edit names in place.",
)


# -- products that need a price -----------------------------------------------------------


def _price(ctx: WidgetContext, key: Any, values: dict[str, Any]) -> None:
    update_product(ctx.data_set, int(key), values, source=_source(ctx))


NEEDS_A_PRICE = Step(
    "Needs a price",
    "needs-a-price",
    [
        Grid(
            name="unpriced",
            title="Products without a price",
            query=lambda ctx: unpriced_products(ctx.data_set.id, product_grid(ctx.data_set.id)),
            columns=[
                GridColumn("upc", "UPC"),
                GridColumn("description", "Description"),
                GridColumn("department", "Department", sortable=False, filterable=False),
                GridColumn("vendor", "Vendor", sortable=False, filterable=False),
                GridColumn("unit_cost", "Unit cost", type="decimal", sortable=False),
                GridColumn("regular_price", "Price", type="decimal", editable=True),
                GridColumn("active", "Active", type="bool", editable=True, sortable=False),
            ],
            editable=True,
            on_edit=_price,
            download_name="needs-a-price",
            links={"upc": product_links()},
            formats={"unit_cost": "money", "regular_price": "money"},
        ),
    ],
    help="Products without a price: a catalog's new items no target margin could price, "
    "and products added without one, all inactive. Give each a price and make it active.",
)
