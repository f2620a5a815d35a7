"""Links to a product's page, for the grids of every Application that shows products
(the catalog, a batch's rows)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from poser.apps.framework.widget import WidgetContext
from poser.apps.widgets.grid_cells import RowHref

#: The Products Application's step that shows one product, and its UPC parameter.
PRODUCTS_APP, PRODUCT_STEP, PRODUCT_PARAMETER = "products", "product", "lookup.upc"


def product_links(
    upc: str = "upc", product_id: str | None = None
) -> Callable[[WidgetContext], RowHref]:
    """For ``Grid(links=...)``: each row links to its product's page, by the UPC in its
    column ``upc``; with ``product_id``, only rows whose column of that name names a
    product (a batch's row of an item the catalog does not have links nowhere)."""

    def links(ctx: WidgetContext) -> RowHref:
        page = f"{_product_page(ctx)}?{PRODUCT_PARAMETER}="

        def href(row: Any) -> str | None:
            if product_id is not None and row[product_id] is None:
                return None
            value = row[upc]
            return f"{page}{quote(str(value))}" if value else None

        return href

    return links


def _product_page(ctx: WidgetContext) -> str:
    return str(
        ctx.request.route_path(
            "app_step", app=PRODUCTS_APP, data_set_id=ctx.data_set.id, step=PRODUCT_STEP
        )
    )
