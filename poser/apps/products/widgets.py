"""Widgets of the Products Application that only it uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from poser.apps.framework.widget import Widget, WidgetContext
from poser.models.data_extraction.products import product_by_upc, product_detail
from poser.utils.upc import normalize_upc


@dataclass
class ProductLookup(Widget):
    """A product by UPC, with its department, margin and every vendor's cost.

    The UPC is a query parameter of the step's URL (``lookup.upc=...``), so a product's
    page is a link to share.
    """

    template: str = field(default="widgets/product_lookup.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        param = f"{self.name}.upc"
        typed = (ctx.request.GET.get(param) or "").strip()[:40]
        detail, problem = None, None
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
        return {"param": param, "typed": typed, "detail": detail, "problem": problem}
