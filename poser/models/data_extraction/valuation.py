"""Inventory valuation: what a data set's stock is worth, at cost and at retail, by
department. One implementation, which the inventory valuation report and anything
else that values stock (the inventory batches, a dashboard's figures) read.

Stock is a product's ``on_hand`` where it is above zero (a negative count is a
correction waiting to happen, not stock). At cost it is valued at the preferred
cost's unit cost, at retail at the regular price; a product in stock without a cost or
without a price adds nothing to that value and is counted instead, so the figures say
how much of the stock they leave out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Numeric, Select, case, func, select, type_coerce

from poser.models.orm import Department, Product

MONEY = Numeric(14, 2)
QUANTITY = Numeric(14, 3)


def _money(expression: Any) -> Any:
    # round() first: the products of a count (3 places) and a unit cost (4) carry 7.
    return type_coerce(func.coalesce(func.round(func.sum(expression), 2), 0), MONEY)


def valuation_by_department(data_set_id: int) -> Select[Any]:
    """Per department with stock (products in none last, department NULL): number,
    department, products (in stock), units (on hand), value_at_cost, value_at_retail,
    without_cost and without_price (products in stock that have none)."""
    in_stock = Product.on_hand > 0
    return (
        select(
            Department.number.label("number"),
            Department.name.label("department"),
            func.count(Product.id).label("products"),
            type_coerce(func.sum(Product.on_hand), QUANTITY).label("units"),
            _money(Product.on_hand * Product.preferred_unit_cost).label("value_at_cost"),
            _money(Product.on_hand * Product.regular_price).label("value_at_retail"),
            func.count(case((Product.preferred_unit_cost.is_(None), 1))).label("without_cost"),
            func.count(case((Product.regular_price.is_(None), 1))).label("without_price"),
        )
        .select_from(Product)
        .outerjoin(Department, Department.id == Product.department_id)
        .where(Product.data_set_id == data_set_id, in_stock)
        .group_by(Department.id, Department.number, Department.name)
        .order_by(Department.number.is_(None), Department.number)
    )
