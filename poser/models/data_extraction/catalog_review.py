"""Queries for reviewing a catalog batch: its rows with the case costs, the margin at
the product's price today with the new cost, and whether each row is left out.

The margin is (price - unit cost) / price * 100, rounded to hundredths, as the Products
grid's; no price (or a price of zero) gives none. The price is a subquery on the
product's key, not a join, so the grid's sorting and paging read no product.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Numeric, Select, case, func, select, true, type_coerce
from sqlalchemy.orm import Session

from poser.models.orm import CatalogBatchRow, Product

R = CatalogBatchRow
_PERCENT = Numeric(12, 2)


def product_price(product_id: ColumnElement[Any]) -> Any:
    """The regular price today of the product ``product_id`` names (NULL: none)."""
    return (
        select(Product.regular_price)
        .where(Product.id == product_id)
        .scalar_subquery()
        .label("price")
    )


def margin_at_price(price: Any, unit_cost: ColumnElement[Any]) -> ColumnElement[Any]:
    """The margin, in percent of ``price``, that ``unit_cost`` leaves."""
    margin = func.round((price - unit_cost) * 100 / func.nullif(price, 0), 2)
    return type_coerce(case((price > 0, margin), else_=None), _PERCENT)


def review_rows(batch_id: int) -> Select[Any]:
    """A catalog batch's rows for the review grid (and its downloads): as
    ``catalog_rows``, with the case costs, the new cost's margin and the exclusion."""
    price = product_price(R.product_id)
    return select(
        R.id,
        R.line,
        R.upc_text.label("upc"),
        R.vendor_item_code,
        R.description,
        R.status,
        R.flagged,
        R.excluded,
        R.exclude_reason,
        R.old_case_size,
        R.case_size,
        R.old_case_cost,
        R.case_cost,
        R.old_unit_cost,
        R.unit_cost,
        R.cost_change,
        R.cost_change_percent,
        margin_at_price(price, R.unit_cost).label("new_margin"),
        R.message,
        R.product_id,  # the product the row matched, if any: its UPC links to its page
        R.upc.label("product_upc"),
    ).where(R.batch_id == batch_id)


def excluded_rows(dbsession: Session, batch_id: int, limit: int) -> list[Any]:
    """The first ``limit`` excluded rows of a batch, by line: line, upc (as read),
    description, product_id, product_upc (as stored), reason."""
    return list(
        dbsession.execute(
            select(
                R.line,
                R.upc_text.label("upc"),
                R.description,
                R.product_id,
                R.upc.label("product_upc"),
                R.exclude_reason.label("reason"),
            )
            .where(R.batch_id == batch_id, R.excluded == true())
            .order_by(R.line)
            .limit(limit)
        )
    )
