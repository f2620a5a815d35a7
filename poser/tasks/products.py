"""Changes operators make to products by hand (the Products grid's edit mode), each
recorded in the product's change log with what made it (``ChangeSource``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from poser.models.orm import DataSet, Product
from poser.tasks.product_history import ChangeSource, product_values, record_product_changes
from poser.tasks.sessions import session_of
from poser.tasks.steps import touch_inputs

EDITABLE = ("description", "brand", "size", "regular_price", "active")
MAX_TEXT = {"description": 200, "brand": 100, "size": 50}
MAX_PRICE = Decimal("99999999.99")


def update_product(
    data_set: DataSet, product_id: int, values: dict[str, Any], *, source: ChangeSource
) -> None:
    """Change some of a product's fields, and record each field that changed with
    ``source`` (who, and which page); ValueError (with the reason) changes nothing."""
    session = session_of(data_set)
    product = session.scalar(
        select(Product).where(Product.id == product_id, Product.data_set_id == data_set.id)
    )
    if product is None:
        raise ValueError("This product is not in this data set.")
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    for name, limit in MAX_TEXT.items():
        if name in values:
            text = str(values[name] or "").strip()
            if name == "description" and not text:
                raise ValueError("A product needs a description.")
            if len(text) > limit:
                raise ValueError(f"{name.capitalize()} is at most {limit} characters.")
            values[name] = text
    if "regular_price" in values:
        price = values["regular_price"]
        if price is not None and not Decimal("0") <= Decimal(price) <= MAX_PRICE:
            raise ValueError("The price must be between 0 and 99,999,999.99.")
    before = product_values(product)
    for name, value in values.items():
        setattr(product, name, value)
    session.flush()
    record_product_changes(product, before, source)
    session.flush()
    touch_inputs(data_set, ["products"])
