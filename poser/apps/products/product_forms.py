"""The product page's forms: add a product; and, for the product shown, its department
and preferred vendor, retire it (or make it active again), delete it. Each calls a task
of ``poser.tasks.products``, which records the change with who, the page and why."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

from poser.apps.framework.widget import WidgetContext
from poser.apps.gui.products import PRODUCT_PARAMETER
from poser.apps.products.forms import TaskForm, as_id, choice, decimal, hidden_id, text, yes_no
from poser.models.data_extraction.catalog_lists import department_options, vendor_options
from poser.models.data_extraction.products import ProductDetail, product_by_upc, product_detail
from poser.models.orm import Product
from poser.tasks.product_history import ChangeSource, edit_on_page
from poser.tasks.products import (
    add_product,
    delete_product,
    deletion_refusal,
    set_preferred_vendor,
    update_product,
)
from poser.utils.upc import normalize_upc


def _source(ctx: WidgetContext, reason: str | None = None) -> ChangeSource:
    source = edit_on_page(ctx.request.identity, ctx.application.url_name, ctx.step.slug)
    return replace(source, reason=reason) if reason else source


def product_page(ctx: WidgetContext, upc: str | None) -> str:
    return ctx.step_url(**{PRODUCT_PARAMETER: upc}) if upc else ctx.step_url()


def shown_product(ctx: WidgetContext) -> ProductDetail | None:
    """The product the page shows (its UPC in the address), once a request."""
    cache = ctx.request.__dict__.setdefault("poser.shown_product", {})
    if "detail" not in cache:
        typed = (ctx.request.GET.get(PRODUCT_PARAMETER) or "").strip()[:40]
        detail = None
        try:
            upc = normalize_upc(typed) if typed else None
        except ValueError:
            upc = None
        product_id = product_by_upc(ctx.dbsession, ctx.data_set.id, upc) if upc else None
        if product_id:
            detail = product_detail(ctx.dbsession, ctx.data_set.id, product_id)
        cache["detail"] = detail
    return cache["detail"]


def _back(ctx: WidgetContext) -> str:
    """The posted product's page (its UPC read again from its id)."""
    try:
        product_id = int(ctx.request.POST.get("product", ""))
    except ValueError:
        return ctx.step_url()
    upc = ctx.dbsession.scalar(
        select(Product.upc).where(Product.id == product_id, Product.data_set_id == ctx.data_set.id)
    )
    return product_page(ctx, upc)


# -- add ----------------------------------------------------------------------------------


def _add(ctx: WidgetContext, values: dict[str, Any]) -> tuple[str, str]:
    product = add_product(
        ctx.data_set,
        {
            "upc": values["upc"],
            "description": values["description"],
            "brand": values["brand"],
            "size": values["size"],
            "department_id": as_id(values["department"]),
            "regular_price": values["regular_price"],
            "active": values["regular_price"] is not None,
        },
        source=_source(ctx),
    )
    said = f"“{product.description}” is added."
    if product.regular_price is None:
        said += " It has no price yet, so it is inactive: it is listed under Needs a price."
    return said, product_page(ctx, product.upc)


ADD_PRODUCT = TaskForm(
    name="add-product",
    title="Add a product",
    width=6,
    intro="A product with no price is added inactive, and listed under Needs a price.",
    fields=lambda ctx: [
        text("upc", "UPC", 20),
        text("description", "Description", 200),
        text("brand", "Brand", 100, required=False),
        text("size", "Size", 50, required=False),
        choice(
            "department",
            "Department",
            department_options(ctx.dbsession, ctx.data_set.id),
            required=False,
        ),
        decimal("regular_price", "Price", maximum="99999999.99"),
    ],
    act=_add,
    submit="Add the product",
)


# -- the product shown --------------------------------------------------------------------


def _placing_values(ctx: WidgetContext) -> dict[str, Any]:
    detail = shown_product(ctx)
    assert detail is not None
    preferred = next((cost.vendor_id for cost, _ in detail.costs if cost.preferred), None)
    department = detail.product.department_id
    return {
        "product": detail.product.id,
        "department": str(department) if department else "",
        "vendor": str(preferred) if preferred else "",
    }


def _placing_fields(ctx: WidgetContext) -> list[Any]:
    """The department, and the preferred vendor among those that cost the product (on a
    POST, any of the data set's: the task refuses one that does not cost it)."""
    if ctx.request.method == "POST":
        vendors = vendor_options(ctx.dbsession, ctx.data_set.id)
    else:
        detail = shown_product(ctx)
        costs = detail.costs if detail else []
        vendors = [(str(vendor.id), f"{vendor.code}: {vendor.name}") for _, vendor in costs]
    departments = department_options(ctx.dbsession, ctx.data_set.id)
    fields = [hidden_id("product"), choice("department", "Department", departments, required=False)]
    if vendors:
        fields.append(
            choice("vendor", "Preferred vendor", vendors, required=False, empty="(keep as it is)")
        )
    return fields


def _place(ctx: WidgetContext, values: dict[str, Any]) -> str:
    product_id = values["product"]
    update_product(
        ctx.data_set,
        product_id,
        {"department_id": as_id(values["department"])},
        source=_source(ctx),
    )
    vendor = as_id(values.get("vendor"))
    if vendor is not None:
        set_preferred_vendor(ctx.data_set, product_id, vendor, source=_source(ctx))
    return "Saved."


PLACE_PRODUCT = TaskForm(
    name="place-product",
    heading="Department and vendor",
    width=4,
    intro="The preferred vendor is the one its margin and orders follow, among the "
    "vendors that cost it.",
    shown=lambda ctx: shown_product(ctx) is not None,
    fields=_placing_fields,
    current=_placing_values,
    act=_place,
    back=_back,
)


def _retire(ctx: WidgetContext, values: dict[str, Any]) -> str:
    product_id = values["product"]
    active = ctx.dbsession.scalar(
        select(Product.active).where(
            Product.id == product_id, Product.data_set_id == ctx.data_set.id
        )
    )
    source = _source(ctx, values["reason"] or None)
    update_product(ctx.data_set, product_id, {"active": not active}, source=source)
    return "Retired: it stays in the catalog, inactive." if active else "It is active again."


RETIRE_PRODUCT = TaskForm(
    name="retire-product",
    heading="Active or retired",
    width=4,
    intro="A retired product stays in the catalog with its history and costs, inactive.",
    shown=lambda ctx: shown_product(ctx) is not None,
    fields=lambda ctx: [
        hidden_id("product"),
        text("reason", "Why (kept in its history)", 200, required=False),
    ],
    current=lambda ctx: {"product": shown_product(ctx).product.id, "reason": ""},  # type: ignore[union-attr]
    act=_retire,
    back=_back,
    submit=lambda ctx: (
        "Retire this product"
        if shown_product(ctx) is None or shown_product(ctx).product.active  # type: ignore[union-attr]
        else "Make it active again"
    ),
    style="btn-outline-primary",
)


def _delete(ctx: WidgetContext, values: dict[str, Any]) -> tuple[str, str]:
    if not values["confirm"]:
        raise ValueError("Tick the box to confirm the deletion.")
    description = delete_product(ctx.data_set, values["product"])
    return f"“{description}” is deleted.", ctx.step_url()


def _deletable(ctx: WidgetContext) -> bool:
    detail = shown_product(ctx)
    return detail is not None and deletion_refusal(ctx.data_set, detail.product.id) is None


def _why_kept(ctx: WidgetContext) -> str | None:
    detail = shown_product(ctx)
    return deletion_refusal(ctx.data_set, detail.product.id) if detail else None


DELETE_PRODUCT = TaskForm(
    name="delete-product",
    heading="Delete",
    width=4,
    intro="Only a product with nothing on record but its adding can be deleted (a "
    "mistake undone); retire any other.",
    shown=_deletable,
    instead=_why_kept,
    fields=lambda ctx: [hidden_id("product"), yes_no("confirm", "Yes, delete it")],
    current=lambda ctx: {"product": shown_product(ctx).product.id},  # type: ignore[union-attr]
    act=_delete,
    back=_back,
    submit="Delete this product",
    style="btn-outline-danger",
)
