"""An Application with two Grids on one step, for the Grid widget's functional tests.

"products" is editable and has choices from the data set (its departments); "settings"
lists the data set's parameter values, for a date column and a second grid on the page.
Include it with ``poser.includes = tests.sample_app tests.sample_grid_app``.
"""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from sqlalchemy import Select, select
from sqlalchemy.orm import object_session

from poser.apps.framework.application import Application, Step, StepGroup
from poser.apps.framework.widget import WidgetContext
from poser.apps.widgets.grid import Grid
from poser.models.data_extraction.grid_state import GridColumn
from poser.models.data_extraction.products import product_grid
from poser.models.orm import DataSet, Department, ParameterValue, Product

URL_NAME = "sample_grid"


def update_product(data_set: DataSet, product_id: int, values: dict[str, Any]) -> None:
    """A stand-in for the catalog's task: it writes first and checks after, so that a
    refusal proves the widget rolls the row back."""
    session = object_session(data_set)
    assert session is not None
    product = session.get(Product, product_id)
    if product is None or product.data_set_id != data_set.id:
        raise ValueError("No such product.")
    price = values.get("regular_price")
    if price is not None and price < 0:
        raise ValueError("A price cannot be negative.")
    for name, value in values.items():
        setattr(product, name, value)
    session.flush()
    if product.description.startswith("REFUSE"):
        raise ValueError("Descriptions may not start with REFUSE.")


def edit_product(ctx: WidgetContext, key: Any, values: dict[str, Any]) -> None:
    update_product(ctx.data_set, key, values)


def product_columns(ctx: WidgetContext) -> list[GridColumn]:
    departments = ctx.dbsession.scalars(
        select(Department.name)
        .where(Department.data_set_id == ctx.data_set.id)
        .order_by(Department.name)
    ).all()
    return [
        GridColumn("upc", "UPC"),
        GridColumn("description", "Description", editable=True, required=True),
        GridColumn("brand", "Brand", editable=True),
        GridColumn("department", "Department", type="choice", choices=departments),
        GridColumn("department_number", "Dept. number", type="int", visible=False),
        GridColumn("regular_price", "Price", type="decimal", editable=True),
        GridColumn("on_hand", "On hand", type="decimal", filterable=False),
        GridColumn("active", "Active", type="bool", editable=True),
        GridColumn("margin_percent", "Margin %", type="decimal", visible=False),
    ]


def parameter_rows(data_set_id: int) -> Select[Any]:
    return select(ParameterValue.name, ParameterValue.changed_at).where(
        ParameterValue.data_set_id == data_set_id
    )


PRODUCTS = Grid(
    "products",
    title="Products",
    query=lambda ctx: product_grid(ctx.data_set.id),
    columns=product_columns,
    key="id",
    editable=True,
    on_edit=edit_product,
    download_name="products",
)
SETTINGS = Grid(
    "settings",
    title="Settings",
    query=lambda ctx: parameter_rows(ctx.data_set.id),
    columns=[GridColumn("name", "Name"), GridColumn("changed_at", "Changed", type="date")],
    key="name",
    page_size=10,
)

APPLICATION = Application(
    name="Sample Grid",
    url_name=URL_NAME,
    description="Grids to page, sort, filter, download and edit",
    step_groups=[StepGroup("Review", [Step("Products", "products", widgets=[PRODUCTS, SETTINGS])])],
)


def includeme(config: Configurator) -> None:
    config.add_application(APPLICATION)
