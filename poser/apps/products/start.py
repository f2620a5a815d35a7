"""StartHere: on an empty data set's first page, how to fill it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from poser.apps.framework.registry import REGISTRY_KEY
from poser.apps.framework.widget import Widget, WidgetContext
from poser.tasks.datasets import data_set_is_empty

#: The Application whose upload step turns a vendor's catalog into products.
CATALOG_APP, UPLOAD_STEP = "catalog", "upload"


@dataclass
class StartHere(Widget):
    """Nothing once the data set holds a row; before, the ways to fill it, as links:
    add departments, vendors and products, upload a vendor's catalog, load a workbook,
    or start from the Application's example."""

    template: str = field(default="widgets/start_here.jinja2", repr=False)

    def render(self, ctx: WidgetContext) -> Markup:
        if not data_set_is_empty(ctx.data_set):
            return Markup("")
        return super().render(ctx)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        request, data_set_id = ctx.request, ctx.data_set.id
        app = ctx.application.url_name

        def step(slug: str, application: str = app) -> str:
            return str(
                request.route_path("app_step", app=application, data_set_id=data_set_id, step=slug)
            )

        catalog = request.registry.get(REGISTRY_KEY, {}).get(CATALOG_APP)
        example = ctx.application.default_example
        links = {
            "departments": step("departments"),
            "vendors": step("vendors"),
            "product": step("product") + "#widget-add-product",
            "upload": step(UPLOAD_STEP, CATALOG_APP)
            if catalog and catalog.step(UPLOAD_STEP)
            else None,
            "settings": request.route_path(
                "app_data_set_settings", app=app, data_set_id=data_set_id
            ),
            "example": request.route_path("app_home", app=app) + "#start-example"
            if example
            else None,
        }
        return {"links": links, "example": example}
