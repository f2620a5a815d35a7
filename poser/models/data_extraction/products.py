"""Queries over a data set's products: the grid, margins by department, one product.

Margins are the preferred cost's unit cost as a percent of the regular price:
(price - unit cost) / price * 100, rounded to hundredths. A product without a price (or
priced at zero) or without a preferred cost has no margin (NULL). The product holds its
preferred cost's vendor and unit cost (triggers keep them) and the margin worked out
from them (a generated column), so these queries read no cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from poser.models.data_extraction.grid_state import Filter
from poser.models.orm import Department, Product, ProductCost, Vendor


# A select is immutable, and building this one (subqueries, aliases) takes a millisecond,
# as long as its page takes on SQLite: each data set's is built once.
@lru_cache(maxsize=256)
def product_grid(data_set_id: int) -> Select[Any]:
    """One row per product of the data set, for the Products grid to filter, sort and page.

    Columns: id, upc, description, brand, size, department_number, department,
    regular_price, on_hand, active, vendor (the preferred cost's vendor code),
    unit_cost, margin_percent. Each product appears once: at most one of its costs is
    preferred (a unique index keeps it so).
    """
    # The department's and the vendor's columns are subqueries, not joins: a query that
    # selects only the product's key (the grid's sorting, paging and counting) then
    # reads neither. A LEFT JOIN there, though PostgreSQL drops it, still keeps it from
    # reading the keys from the sort's index alone (a deep page: 110 ms, not 18).
    department = select(Department).where(Department.id == Product.department_id)
    vendor = select(Vendor.code).where(Vendor.id == Product.preferred_vendor_id).scalar_subquery()
    return select(
        Product.id,
        Product.upc,
        Product.description,
        Product.brand,
        Product.size,
        department.with_only_columns(Department.number)
        .scalar_subquery()
        .label("department_number"),
        department.with_only_columns(Department.name).scalar_subquery().label("department"),
        Product.regular_price,
        Product.on_hand,
        Product.active,
        vendor.label("vendor"),
        Product.preferred_unit_cost.label("unit_cost"),
        Product.margin_percent,
    ).where(Product.data_set_id == data_set_id)


def preferred_vendor_condition(
    dbsession: Session, data_set_id: int
) -> Callable[[Filter], ColumnElement[bool]]:
    """The grid's vendor filter (vendor codes) on the product's own preferred vendor.

    The codes become the data set's vendor ids before the grid's query, not in a
    subquery: compared with one id, the product's (vendor, description) index reads a
    vendor's products in description order, where "IN (SELECT ...)" sorts them all
    (55 ms for 12,000). The lookup runs only when the filter is used.
    """

    # A page builds its conditions more than once, and once per vendor when it merges
    # each one's first rows: each code is looked up once (None: no such vendor).
    found: dict[str, int | None] = {}

    def condition(item: Filter) -> ColumnElement[bool]:
        missing = [code for code in item.value if code not in found]
        if missing:
            found.update(dict.fromkeys(missing))
            query = select(Vendor.code, Vendor.id).where(
                Vendor.data_set_id == data_set_id, Vendor.code.in_(missing)
            )
            found.update(dict(dbsession.execute(query).all()))
        ids = [found[code] for code in item.value if found[code] is not None]
        return Product.preferred_vendor_id.in_(ids)

    return condition


def margin_by_department(data_set_id: int) -> Select[Any]:
    """Per department (products without one last, as department NULL): number, name,
    products (how many), average_margin_percent (over the products that have a margin).
    """
    # avg() of a numeric(14, 2) is numeric with many places on PostgreSQL, a float on
    # SQLite: both come back as two places.
    margin = Product.margin_percent
    average = type_coerce(func.round(func.avg(margin), 2), margin.type)
    return (
        select(
            Department.number.label("department_number"),
            Department.name.label("department"),
            func.count(Product.id).label("products"),
            average.label("average_margin_percent"),
        )
        .select_from(Product)
        .outerjoin(Department, Department.id == Product.department_id)
        .where(Product.data_set_id == data_set_id)
        .group_by(Department.id, Department.number, Department.name)
        .order_by(Department.number.is_(None), Department.number)
    )


@dataclass(frozen=True)
class ProductDetail:
    product: Product
    department: Department | None
    #: Every vendor's cost, the preferred one first, then by vendor code.
    costs: list[tuple[ProductCost, Vendor]]

    @property
    def margin_percent(self) -> Any:
        return self.product.margin_percent


def product_costs(product_id: int) -> Select[tuple[ProductCost, Vendor]]:
    return (
        select(ProductCost, Vendor)
        .join(Vendor, Vendor.id == ProductCost.vendor_id)
        .where(ProductCost.product_id == product_id)
        .order_by(ProductCost.preferred.desc(), Vendor.code)
    )


def product_detail(dbsession: Session, data_set_id: int, product_id: int) -> ProductDetail | None:
    """A product with its department and costs; None when it is not in this data set."""
    product = dbsession.scalar(
        select(Product).where(Product.id == product_id, Product.data_set_id == data_set_id)
    )
    if product is None:
        return None
    costs = [(cost, vendor) for cost, vendor in dbsession.execute(product_costs(product_id))]
    department = dbsession.get(Department, product.department_id) if product.department_id else None
    return ProductDetail(product, department, costs)


def product_by_upc(dbsession: Session, data_set_id: int, upc: str) -> int | None:
    """The id of the product with this (normalized, 14-digit) UPC in the data set."""
    return dbsession.scalar(
        select(Product.id).where(Product.data_set_id == data_set_id, Product.upc == upc)
    )


# Statements a grid page reads every time are built once, with their parameters bound
# per call: building a select and working out its cache key takes longer than running it.
_DEPARTMENT_CHOICES = (
    select(Department.id, Department.name)
    .where(Department.data_set_id == bindparam("data_set_id"))
    .order_by(Department.number)
)
_VENDOR_CHOICES = (
    select(Vendor.code, Vendor.name)
    .where(Vendor.data_set_id == bindparam("data_set_id"))
    .order_by(Vendor.code)
)


def department_choices(dbsession: Session, data_set_id: int) -> list[tuple[int, str]]:
    """(id, name) of each department by number: the grid filters departments by id,
    which the product's own index holds (a name would need the department table)."""
    rows = dbsession.execute(_DEPARTMENT_CHOICES, {"data_set_id": data_set_id})
    return [(id_, name) for id_, name in rows]


def vendor_choices(dbsession: Session, data_set_id: int) -> list[tuple[str, str]]:
    """(code, "code: name") of each vendor: the grid shows the preferred vendor's code."""
    rows = dbsession.execute(_VENDOR_CHOICES, {"data_set_id": data_set_id})
    return [(code, f"{code}: {name}") for code, name in rows]


def product_counts(dbsession: Session, data_set_id: int) -> dict[str, int]:
    """How many rows of each catalog table the data set holds."""
    counts: dict[str, int] = {}
    for name, model in (
        ("departments", Department),
        ("vendors", Vendor),
        ("products", Product),
        ("product_costs", ProductCost),
    ):
        counts[name] = (
            dbsession.scalar(
                select(func.count()).select_from(model).where(model.data_set_id == data_set_id)
            )
            or 0
        )
    return counts
