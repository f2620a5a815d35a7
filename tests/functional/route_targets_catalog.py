"""Targets of the Products pages of the catalog itself: departments, vendors, the
products that need a price and the product's forms (route_targets.py imports this
module, which registers them)."""

from __future__ import annotations

from typing import Any

from tests.functional.route_support import World
from tests.functional.route_targets import HTMX, _action

for step, grid in (("departments", "departments"), ("vendors", "vendors"),
                   ("needs-a-price", "unpriced")):  # fmt: skip
    _action("products", step, grid, "rows", query=[(f"{grid}.page", "1")], headers=HTMX)
    _action("products", step, grid, "csv", query=[(f"{grid}.page", "1")])
    _action("products", step, grid, "xlsx", query=[(f"{grid}.page", "1")])


def _cell(grid: str, column: str, key: Any, value: str, was: str = "") -> list[tuple[str, str]]:
    return [(f"{grid}.edit.{column}.{key}", value), (f"{grid}.was.{column}.{key}", was)]


def _dairy(world: World) -> int:
    return world.products["dairy"].id


_action("products", "departments", "departments", "edit", "POST",
        fields=lambda w: _cell("departments", "target_margin", _dairy(w), "31"),
        decimals=lambda w: (f"departments.edit.target_margin.{_dairy(w)}",))  # fmt: skip
_action("products", "departments", "add-department", "submit", "POST",
        fields=[("number", "70"), ("name", "Frozen"), ("target_margin", "30")],
        decimals=("target_margin",))  # fmt: skip
_action("products", "departments", "delete-department", "submit", "POST",
        fields=lambda w: [("department", str(_dairy(w)))], choices=("department",))  # fmt: skip
_action(
    "products",
    "vendors",
    "vendors",
    "edit",
    "POST",
    fields=lambda w: _cell("vendors", "name", w.products["acme"].id, "Acme", "Acme Foods"),
)
_action("products", "vendors", "add-vendor", "submit", "POST",
        fields=lambda w: [("code", "FRESH"), ("name", "Fresh Co"),
                          ("default_department", str(_dairy(w)))],
        choices=("default_department",))  # fmt: skip
_action("products", "vendors", "vendor-default", "submit", "POST",
        fields=lambda w: [("vendor", str(w.products["acme"].id)),
                          ("default_department", str(_dairy(w)))],
        choices=("vendor", "default_department"))  # fmt: skip
_action(
    "products",
    "vendors",
    "delete-vendor",
    "submit",
    "POST",
    fields=lambda w: [("vendor", str(w.products["acme"].id))],
    choices=("vendor",),
)
_action("products", "needs-a-price", "unpriced", "edit", "POST",
        fields=lambda w: _cell("unpriced", "regular_price", w.product().id, "4.99", "5.00"),
        decimals=lambda w: (f"unpriced.edit.regular_price.{w.product().id}",))  # fmt: skip
_action("products", "product", "add-product", "submit", "POST",
        fields=[("upc", "070038000563"), ("description", "Oat milk"), ("brand", ""),
                ("size", ""), ("department", ""), ("regular_price", "2.99")],
        decimals=("regular_price",), choices=("department",))  # fmt: skip
_action("products", "product", "place-product", "submit", "POST",
        fields=lambda w: [("product", str(w.product().id)), ("department", str(_dairy(w))),
                          ("vendor", str(w.products["acme"].id))],
        choices=("department", "vendor"))  # fmt: skip
_action(
    "products",
    "product",
    "retire-product",
    "submit",
    "POST",
    fields=lambda w: [("product", str(w.product().id)), ("reason", "Seasonal")],
)
_action(
    "products",
    "product",
    "delete-product",
    "submit",
    "POST",
    fields=lambda w: [("product", str(w.product().id)), ("confirm", "true")],
)
