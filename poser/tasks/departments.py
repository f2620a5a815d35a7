"""A data set's departments: add, change, delete.

A department has a number and a name, each its own in the data set, and the margin it
aims for (``target_margin``, a percent of the price), which prices a catalog's new
items in it. Deleting one that products are in is refused unless the operator asks to
leave them without a department: then each product's change is logged, as any change
to a product. Vendors whose new items went to it go to none (their default is cleared,
and said so).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import String, func, insert, literal, select, update

from poser.models.orm import DataSet, Department, Product, ProductChange, Vendor
from poser.tasks.product_history import MAX_VALUE, ChangeSource, source_values
from poser.tasks.sessions import session_of
from poser.tasks.steps import touch_inputs
from poser.utils.timeutil import utcnow

MAX_NAME = 100
MAX_NUMBER = 2_147_483_647


class CatalogListError(ValueError):
    """A change to a department or vendor that cannot be made; the message says why."""


def check_margin(margin: Decimal | None) -> Decimal | None:
    if margin is not None and not Decimal(0) <= margin < 100:
        raise CatalogListError("A target margin is a percent from 0 to 99.99.")
    return None if margin is None else margin.quantize(Decimal("0.01"))


def department_of(data_set: DataSet, department_id: int) -> Department:
    department = session_of(data_set).scalar(
        select(Department).where(
            Department.id == department_id, Department.data_set_id == data_set.id
        )
    )
    if department is None:
        raise CatalogListError("That department is not in this data set.")
    return department


def _check(data_set: DataSet, number: int, name: str, itself: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise CatalogListError("A department needs a name.")
    if len(name) > MAX_NAME:
        raise CatalogListError(f"A department's name is at most {MAX_NAME} characters.")
    if not 0 <= number <= MAX_NUMBER:
        raise CatalogListError("A department's number is a whole number from 0 up.")
    session = session_of(data_set)
    for column, value, what in (
        (Department.number, number, f"number {number}"),
        (func.lower(Department.name), name.lower(), f"the name “{name}”"),
    ):
        taken = session.scalar(
            select(Department).where(
                Department.data_set_id == data_set.id,
                column == value,
                Department.id != (itself or 0),
            )
        )
        if taken is not None:
            raise CatalogListError(f"Department {taken.number} “{taken.name}” already has {what}.")
    return name


def add_department(
    data_set: DataSet, number: int, name: str, target_margin: Decimal | None = None
) -> Department:
    name = _check(data_set, number, name)
    department = Department(
        data_set_id=data_set.id, number=number, name=name, target_margin=check_margin(target_margin)
    )
    session_of(data_set).add(department)
    session_of(data_set).flush()
    touch_inputs(data_set, ["products"])
    return department


def update_department(data_set: DataSet, department_id: int, values: dict[str, Any]) -> None:
    """Change a department's number, name or target margin (those ``values`` give).
    Its products' own records do not change: they are in the same department."""
    department = department_of(data_set, department_id)
    unknown = set(values) - {"number", "name", "target_margin"}
    if unknown:
        raise CatalogListError(f"These cannot be changed: {', '.join(sorted(unknown))}.")
    number = values.get("number", department.number)
    if number is None:
        raise CatalogListError("A department needs a number.")
    department.name = _check(
        data_set, int(number), values.get("name", department.name), department.id
    )
    department.number = int(number)
    if "target_margin" in values:
        department.target_margin = check_margin(values["target_margin"])
    session_of(data_set).flush()
    touch_inputs(data_set, ["products"])


def department_uses(data_set: DataSet, department_id: int) -> tuple[int, list[str]]:
    """How many products are in the department, and the codes of the vendors whose
    new items go to it."""
    session = session_of(data_set)
    products = session.scalar(
        select(func.count()).where(
            Product.data_set_id == data_set.id, Product.department_id == department_id
        )
    )
    vendors = session.scalars(
        select(Vendor.code)
        .where(Vendor.data_set_id == data_set.id, Vendor.default_department_id == department_id)
        .order_by(Vendor.code)
    ).all()
    return products or 0, list(vendors)


def delete_department(
    data_set: DataSet, department_id: int, *, clear_products: bool, source: ChangeSource
) -> str:
    """Delete the department; what the operator reads of it. Refused (nothing changes)
    when products are in it, unless ``clear_products``: then they are left without a
    department, each change logged with ``source``."""
    session = session_of(data_set)
    department = department_of(data_set, department_id)
    products, vendors = department_uses(data_set, department_id)
    named = f"Department {department.number} “{department.name}”"
    if products and not clear_products:
        raise CatalogListError(
            f"{named} has {_products(products)}. Move them to another department first, "
            "or choose to leave them without a department."
        )
    said = [f"{named} is deleted."]
    if products:
        _log_cleared(session, data_set, department, source)
        session.execute(
            update(Product)
            .where(Product.data_set_id == data_set.id, Product.department_id == department.id)
            .values(department_id=None)
        )
        said.append(f"Its {_products(products)} now have no department.")
    if vendors:
        session.execute(
            update(Vendor)
            .where(Vendor.data_set_id == data_set.id, Vendor.default_department_id == department.id)
            .values(default_department_id=None)
        )
        said.append(
            f"{_vendors(vendors)} no longer put new items in it: "
            f"{'its' if len(vendors) == 1 else 'their'} new items get no department."
        )
    session.delete(department)
    session.flush()
    touch_inputs(data_set, ["products"])
    return " ".join(said)


def _log_cleared(
    session: Any, data_set: DataSet, department: Department, source: ChangeSource
) -> None:
    """Each product's department change, by one INSERT ... SELECT."""
    values = source_values(source, utcnow())
    columns = {
        "data_set_id": Product.data_set_id,
        "product_id": Product.id,
        **values,
        "reason": literal((source.reason or "")[:MAX_VALUE] or None, String),
        "field": literal("department", String),
        "old_value": literal(department.name, String),
    }
    rows = select(*columns.values()).where(
        Product.data_set_id == data_set.id, Product.department_id == department.id
    )
    session.execute(insert(ProductChange).from_select(list(columns), rows))


def _products(count: int) -> str:
    return "1 product" if count == 1 else f"{count:,} products"


def _vendors(codes: list[str]) -> str:
    if len(codes) == 1:
        return f"Vendor {codes[0]}"
    return "Vendors " + ", ".join(codes[:-1]) + " and " + codes[-1]
