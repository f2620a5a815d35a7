"""Widgets of the Products Application that only it uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from poser.apps.framework.registry import REGISTRY_KEY
from poser.apps.framework.widget import Widget, WidgetContext
from poser.apps.widgets.grid_cells import format_number
from poser.models.data_extraction.history import TIMELINE_LIMIT, TimelineEntry, product_timeline
from poser.models.data_extraction.products import product_by_upc, product_detail
from poser.tasks.batches import handlers
from poser.utils.upc import normalize_upc

#: What each change is to, in the words of the product's page.
FIELD_LABELS = {
    "added": "Added to the catalog",
    "cost": "Cost",
    "vendor_item_code": "Vendor's item code",
    "regular_price": "Price",
    "on_hand": "On hand",
    "description": "Description",
    "brand": "Brand",
    "size": "Size",
    "department": "Department",
    "preferred_vendor": "Preferred vendor",
    "active": "Active",
}
NONE = "(none)"


@dataclass(frozen=True)
class ChangeLine:
    """One change as the product's timeline shows it."""

    when: str
    what: str
    old: str
    new: str
    #: More of a cost's change: the case's size and cost before and after.
    detail: str
    who: str
    made_by: str
    made_by_href: str | None
    reason: str


@dataclass
class ProductLookup(Widget):
    """A product by UPC, with its department, margin, every vendor's cost, and its
    history: every change recorded in its change log, newest first.

    The UPC is a query parameter of the step's URL (``lookup.upc=...``), so a product's
    page is a link to share.
    """

    template: str = field(default="widgets/product_lookup.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        param = f"{self.name}.upc"
        typed = (ctx.request.GET.get(param) or "").strip()[:40]
        before = _change_id(ctx.request.GET.get(f"{self.name}.before"))
        detail, problem, timeline, older = None, None, [], None
        if typed:
            try:
                upc = normalize_upc(typed)
            except ValueError as error:
                problem = str(error)
            else:
                product_id = product_by_upc(ctx.dbsession, ctx.data_set.id, upc)
                detail = (
                    product_detail(ctx.dbsession, ctx.data_set.id, product_id)
                    if product_id
                    else None
                )
                if detail is None:
                    problem = f"No product with UPC {upc} in this data set."
                else:
                    entries = product_timeline(
                        ctx.dbsession,
                        ctx.data_set.id,
                        detail.product.id,
                        limit=TIMELINE_LIMIT + 1,
                        before=before,
                    )
                    if len(entries) > TIMELINE_LIMIT:
                        entries = entries[:TIMELINE_LIMIT]
                        older = {param: typed, f"{self.name}.before": entries[-1].change.id}
                    timeline = [_line(ctx, entry) for entry in entries]
        return {
            "param": param,
            "typed": typed,
            "detail": detail,
            "margin": _margin_text(detail) if detail else "",
            # "22", "5.568": as many places as it has, as the grids and history show it.
            "on_hand": format_number(detail.product.on_hand, "units") if detail else "",
            "problem": problem,
            "timeline": timeline,
            "timeline_limit": TIMELINE_LIMIT,
            # The next page back, and the way to the newest from a page back.
            "older": ctx.step_url(**older) if older else None,
            "newest": ctx.step_url(**{param: typed}) if before else None,
        }


def _change_id(text: str | None) -> int | None:
    """A change's id as a page link names it; anything else is no id."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def _margin_text(detail: Any) -> str:
    """The product's margin, or why it has none: no price yet (with the unit cost it
    will be measured against), or no preferred vendor's cost."""
    product = detail.product
    if detail.margin_percent is not None:
        return f"{Decimal(str(detail.margin_percent)):,.2f} %"
    cost = product.preferred_unit_cost
    if not product.regular_price:
        if cost is None:
            return "No margin yet: no price and no vendor's cost"
        return f"No margin yet: no price (its unit cost is {_money(cost)})"
    return "No margin: no vendor's cost is preferred for it"


def _money(value: Any) -> str:
    return format_number(Decimal(str(value)), "money") if value is not None else NONE


def _value(field_name: str, text: str | None) -> str:
    """A logged value (as text) in an operator's words."""
    if text is None or text == "":
        return NONE
    if field_name == "regular_price":
        return _money(text)
    if field_name == "active":
        return {"true": "yes", "false": "no"}.get(text, text)
    if field_name == "on_hand":
        return format_number(Decimal(text), "")
    return text


def _line(ctx: WidgetContext, entry: TimelineEntry) -> ChangeLine:
    change = entry.change
    what = FIELD_LABELS.get(change.field, change.field)
    detail = ""
    if change.field == "cost":
        vendor = entry.vendor_code or "a vendor since removed"
        what = f"Unit cost from {vendor}"
        old, new = _money(change.old_unit_cost), _money(change.new_unit_cost)
        before = (
            f"{change.old_case_size} for {_money(change.old_case_cost)}"
            if change.old_case_cost is not None
            else NONE
        )
        after = (
            f"{change.new_case_size} for {_money(change.new_case_cost)}"
            if change.new_case_cost is not None
            else NONE  # a cost removed (a revert of the batch that added it)
        )
        detail = f"Case: {before} → {after}"
    elif change.field == "vendor_item_code":
        what = f"Item code at {entry.vendor_code or 'a vendor since removed'}"
        old, new = _value(change.field, change.old_value), _value(change.field, change.new_value)
    elif change.field == "added":
        old, new = "", change.new_value or ""
    else:
        old, new = _value(change.field, change.old_value), _value(change.field, change.new_value)
    made_by, href = _made_by(ctx, entry)
    return ChangeLine(
        when=change.changed_at.strftime("%Y-%m-%d %H:%M UTC"),
        what=what,
        old=old,
        new=new,
        detail=detail,
        who=entry.user or "no one in particular",
        made_by=made_by,
        made_by_href=href,
        reason=change.reason or "",
    )


def _batch_words(entry: TimelineEntry) -> str:
    """The batch that made a change, by its type's title: "Inventory count #12"."""
    handler = handlers().get(entry.batch_type or "")
    title = handler.title if handler is not None else "Batch"
    batch_id = entry.change.batch_id
    return f"{title} #{batch_id}" if batch_id else "A batch"


def _made_by(ctx: WidgetContext, entry: TimelineEntry) -> tuple[str, str | None]:
    """What made the change, in words, and where to see it."""
    change = entry.change
    request = ctx.request
    job_href = request.route_path("job", job_id=change.job_id) if change.job_id else None
    if change.source == "batch":
        text = _batch_words(entry)
        if entry.batch_line is not None:
            text += f", line {entry.batch_line}"
        if change.command:
            text += f", applied by the command “{change.command}”"
        elif change.job_id:
            text += f", applied by job #{change.job_id}"
        return text, job_href
    if change.source == "edit" and change.page:
        app_name, _, step_slug = change.page.partition("/")
        application = request.registry.get(REGISTRY_KEY, {}).get(app_name)
        step = application.step(step_slug) if application else None
        if application is None or step is None:
            return f"An edit on {change.page}", None
        href = request.route_path(
            "app_step", app=app_name, data_set_id=ctx.data_set.id, step=step_slug
        )
        page = f"the {step.name} page"
        if step.name != application.name:
            page += f" of {application.name}"
        return f"An edit on {page}", href
    if change.source == "command":
        return f"The command “{change.command or 'poser'}”", None
    if change.source == "job":
        return (f"Job #{change.job_id}" if change.job_id else "A job"), job_href
    return change.source, None
