"""Changes operators make to products by hand: the Products grid's edit mode and the
product's page (add, retire, place in a department, choose its vendor, delete). Each
is recorded in the product's change log with what made it (``ChangeSource``).

A product is deleted only while nothing but its adding is on record: no vendor's
cost, no other change. One with a past is retired instead (active no): its history
and costs stay, and the operator is told so.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select

from poser.models.orm import DataSet, Department, Product, ProductChange, ProductCost, Vendor
from poser.tasks.product_history import (
    ChangeSource,
    product_values,
    record_change,
    record_product_changes,
)
from poser.tasks.sessions import session_of
from poser.tasks.steps import touch_inputs
from poser.utils.upc import normalize_upc

EDITABLE = ("description", "brand", "size", "regular_price", "active", "department_id")
MAX_TEXT = {"description": 200, "brand": 100, "size": 50}
MAX_PRICE = Decimal("99999999.99")


class ProductError(ValueError):
    """A change to a product that cannot be made; the message is for the operator."""


def _product(data_set: DataSet, product_id: int) -> Product:
    product = session_of(data_set).scalar(
        select(Product).where(Product.id == product_id, Product.data_set_id == data_set.id)
    )
    if product is None:
        raise ProductError("This product is not in this data set.")
    return product


def _checked(data_set: DataSet, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` cleaned (text stripped) or ProductError with the first problem."""
    values = dict(values)
    for name, limit in MAX_TEXT.items():
        if name in values:
            text = str(values[name] or "").strip()
            if name == "description" and not text:
                raise ProductError("A product needs a description.")
            if len(text) > limit:
                raise ProductError(f"{name.capitalize()} is at most {limit} characters.")
            values[name] = text
    if "regular_price" in values:
        price = values["regular_price"]
        if price is not None and not Decimal("0") <= Decimal(price) <= MAX_PRICE:
            raise ProductError("The price must be between 0 and 99,999,999.99.")
    department_id = values.get("department_id")
    if department_id is not None:
        found = session_of(data_set).scalar(
            select(Department.id).where(
                Department.id == department_id, Department.data_set_id == data_set.id
            )
        )
        if found is None:
            raise ProductError("That department is not in this data set.")
    return values


def update_product(
    data_set: DataSet, product_id: int, values: dict[str, Any], *, source: ChangeSource
) -> None:
    """Change some of a product's fields, and record each field that changed with
    ``source`` (who, which page, why); ProductError (with the reason) changes nothing."""
    session = session_of(data_set)
    product = _product(data_set, product_id)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ProductError(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    values = _checked(data_set, values)
    before = product_values(product)
    for name, value in values.items():
        setattr(product, name, value)
    if values.get("active") and not before["active"] and product.regular_price is None:
        # An active product is complete: the store can sell it. One without a price
        # stays inactive (listed under Needs a price) until it has one.
        raise ProductError("Give it a price before making it active.")
    session.flush()
    record_product_changes(product, before, source)
    session.flush()
    touch_inputs(data_set, ["products"])


def add_product(data_set: DataSet, values: dict[str, Any], *, source: ChangeSource) -> Product:
    """A new product from an operator: its UPC (any spelling a code has) and
    description, and what else ``values`` gives of ``EDITABLE``; logged as added."""
    session = session_of(data_set)
    try:
        upc = normalize_upc(str(values.get("upc") or ""))
    except ValueError as error:
        raise ProductError(str(error)) from error
    taken = session.scalar(
        select(Product.description).where(Product.data_set_id == data_set.id, Product.upc == upc)
    )
    if taken is not None:
        raise ProductError(f"UPC {upc} is already in this data set: “{taken}”.")
    fields = _checked(data_set, {k: v for k, v in values.items() if k in EDITABLE})
    fields.setdefault("description", "")
    if not fields["description"]:
        raise ProductError("A product needs a description.")
    product = Product(data_set_id=data_set.id, upc=upc, on_hand=Decimal(0), **fields)
    session.add(product)
    session.flush()
    record_change(product, "added", None, product.description, source)
    touch_inputs(data_set, ["products"])
    return product


def set_preferred_vendor(
    data_set: DataSet, product_id: int, vendor_id: int, *, source: ChangeSource
) -> bool:
    """Make ``vendor_id``'s cost the product's preferred one (its margin and orders
    follow it); False when it already was. A vendor without a cost for the product
    cannot be chosen: its cost comes with its catalog."""
    session = session_of(data_set)
    product = _product(data_set, product_id)
    costs = session.scalars(select(ProductCost).where(ProductCost.product_id == product.id)).all()
    chosen = next((cost for cost in costs if cost.vendor_id == vendor_id), None)
    if chosen is None:
        raise ProductError(
            "That vendor has no cost for this product: upload its catalog with this item first."
        )
    current = next((cost for cost in costs if cost.preferred), None)
    if current is chosen:
        return False
    if current is not None:
        current.preferred = False
        session.flush()  # at most one preferred cost: the old one goes first
    chosen.preferred = True
    session.flush()
    codes = dict(session.execute(select(Vendor.id, Vendor.code).where(
        Vendor.id.in_([c.vendor_id for c in (current, chosen) if c is not None])
    )).all())  # fmt: skip
    old = codes.get(current.vendor_id) if current is not None else None
    record_change(product, "preferred_vendor", old, codes[chosen.vendor_id], source)
    touch_inputs(data_set, ["products"])
    session.expire(product)
    return True


def deletion_refusal(data_set: DataSet, product_id: int) -> str | None:
    """Why this product cannot be deleted (it has a past to keep), or None."""
    session = session_of(data_set)
    product = _product(data_set, product_id)
    costs = session.scalar(select(func.count()).where(ProductCost.product_id == product.id))
    changes = session.scalar(
        select(func.count()).where(
            ProductChange.product_id == product.id, ProductChange.field != "added"
        )
    )
    if not costs and not changes:
        return None
    kept = []
    if costs:
        kept.append("1 vendor's cost" if costs == 1 else f"{costs} vendors' costs")
    if changes:
        kept.append("1 recorded change" if changes == 1 else f"{changes:,} recorded changes")
    return (
        f"“{product.description}” has {' and '.join(kept)}, which deleting it would lose. "
        "Retire it instead: it stays in the catalog, inactive, with its history."
    )


def delete_product(data_set: DataSet, product_id: int) -> str:
    """Delete a product nothing is on record for but its adding (a mistake undone);
    ProductError says why not otherwise. Returns its description."""
    refusal = deletion_refusal(data_set, product_id)
    if refusal:
        raise ProductError(refusal)
    session = session_of(data_set)
    product = _product(data_set, product_id)
    description = product.description
    session.execute(delete(ProductChange).where(ProductChange.product_id == product.id))
    session.delete(product)
    session.flush()
    touch_inputs(data_set, ["products"])
    return description
