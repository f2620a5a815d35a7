"""The review grid's query over an inventory count's rows: each line as read, its
product, on-hand before and after, the variance in units and in money, whether it is
flagged, moved since counted, or left out.

The description and how far on-hand moved since the count (what the product holds now
less what the count was read against, None when it did not move) are subqueries on the
product's key, not joins, so the grid's paging reads products for its page only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Numeric, Select, case, false, func, select, true, type_coerce
from sqlalchemy.orm import Session

from poser.models.orm import InventoryBatchRow, Product

R = InventoryBatchRow
#: The statuses an apply writes to on-hand (as ``compare.APPLIED``).
APPLIED = ("increase", "decrease", "not_counted")
#: Less than this is no movement: quantities are kept to three places.
SLACK = 0.0005


def product_description() -> Any:
    """The description today of the product a row matched (NULL: none)."""
    return (
        select(Product.description)
        .where(Product.id == R.product_id)
        .scalar_subquery()
        .label("description")
    )


def moved_since() -> Any:
    """How far the product's on-hand moved since the count was read (NULL: it did not,
    or the row compares with nothing)."""
    now = select(Product.on_hand).where(Product.id == R.product_id).scalar_subquery()
    moved = now - R.on_hand_before
    return type_coerce(case((func.abs(moved) > SLACK, moved), else_=None), Numeric(12, 3)).label(
        "moved_since"
    )


def review_rows(batch_id: int) -> Select[Any]:
    """An inventory count's rows for the review grid (and its downloads)."""
    return select(
        R.id,
        R.line,
        R.file_name,
        R.section,
        R.upc_text.label("upc"),
        product_description(),
        R.department_id,
        R.on_hand_before,
        R.counted_units,
        R.new_on_hand,
        R.variance_units,
        R.variance_percent,
        R.variance_cost,
        R.variance_retail,
        R.status,
        R.flagged,
        moved_since(),
        R.message,
        R.excluded,
        R.exclude_reason,
        R.product_id,  # the product the row matched, if any: its UPC links to its page
        R.upc.label("product_upc"),
    ).where(R.batch_id == batch_id)


def excluded_rows(dbsession: Session, batch_id: int, limit: int) -> list[Any]:
    """The first ``limit`` excluded rows of a count, by file and line: line, source
    (its file's name), upc (as read), description, product_id, product_upc (as stored),
    reason."""
    return list(
        dbsession.execute(
            select(
                R.line,
                R.file_name.label("source"),
                R.upc_text.label("upc"),
                product_description(),
                R.product_id,
                R.upc.label("product_upc"),
                R.exclude_reason.label("reason"),
            )
            .where(R.batch_id == batch_id, R.excluded == true())
            .order_by(R.file_name, R.line, R.id)
            .limit(limit)
        )
    )


def applied_products(dbsession: Session, batch_id: int) -> int:
    """How many products an applied count set the on-hand of (what its revert puts
    back, before the check for changes since)."""
    return (
        dbsession.scalar(
            select(func.count()).where(
                R.batch_id == batch_id,
                R.excluded == false(),
                R.status.in_(APPLIED),
                R.product_id.is_not(None),
            )
        )
        or 0
    )
