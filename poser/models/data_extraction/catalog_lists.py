"""A data set's departments and vendors as their pages list them, with what uses each
(its products, its vendors' defaults, its costs), and as the choices of forms."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from poser.models.orm import Department, Product, ProductCost, Vendor


def department_rows(data_set_id: int) -> Select[Any]:
    """Columns: id, number, name, target_margin, products (in it), vendors (whose new
    items go to it)."""
    products = (
        select(func.count())
        .where(Product.data_set_id == data_set_id, Product.department_id == Department.id)
        .scalar_subquery()
    )
    vendors = (
        select(func.count())
        .where(Vendor.data_set_id == data_set_id, Vendor.default_department_id == Department.id)
        .scalar_subquery()
    )
    return select(
        Department.id,
        Department.number,
        Department.name,
        Department.target_margin,
        products.label("products"),
        vendors.label("vendors"),
    ).where(Department.data_set_id == data_set_id)


def vendor_rows(data_set_id: int) -> Select[Any]:
    """Columns: id, code, name, default_department (its name), products (it costs)."""
    department = (
        select(Department.name)
        .where(
            Department.data_set_id == data_set_id,
            Department.id == Vendor.default_department_id,
        )
        .scalar_subquery()
    )
    products = (
        select(func.count())
        .where(ProductCost.data_set_id == data_set_id, ProductCost.vendor_id == Vendor.id)
        .scalar_subquery()
    )
    return select(
        Vendor.id,
        Vendor.code,
        Vendor.name,
        department.label("default_department"),
        products.label("products"),
    ).where(Vendor.data_set_id == data_set_id)


def department_options(dbsession: Session, data_set_id: int) -> list[tuple[str, str]]:
    """(id, "number name") of each department, by number, for a form's select."""
    rows = dbsession.execute(
        select(Department.id, Department.number, Department.name)
        .where(Department.data_set_id == data_set_id)
        .order_by(Department.number)
    )
    return [(str(id_), f"{number} {name}") for id_, number, name in rows]


def vendor_options(dbsession: Session, data_set_id: int) -> list[tuple[str, str]]:
    """(id, "code: name") of each vendor, by code, for a form's select."""
    rows = dbsession.execute(
        select(Vendor.id, Vendor.code, Vendor.name)
        .where(Vendor.data_set_id == data_set_id)
        .order_by(Vendor.code)
    )
    return [(str(id_), f"{code}: {name}") for id_, code, name in rows]


def unpriced_products(data_set_id: int, base: Select[Any]) -> Select[Any]:
    """``base`` (the Products grid's select) narrowed to products without a price:
    what a catalog added that no margin could price."""
    return base.where(Product.data_set_id == data_set_id, Product.regular_price.is_(None))
