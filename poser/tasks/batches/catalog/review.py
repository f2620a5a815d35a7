"""Controlling a catalog batch before it is applied: rows left out of the apply, and
what applying the flagged rows that remain would do.

An excluded row keeps who excluded it and why; the apply skips it (``execute`` filters
on ``excluded`` in each of its statements) and so does the check that the catalog still
bears the batch out. Excluding or including rows changes what applying the batch does,
so it moves the batch's version on: an Apply form showing the batch as it was is refused.

A flagged row is one whose cost changes past the batch's tolerance. Applying a batch
while flagged rows are still in it needs a confirmation that names how many: the form
sends that count (``CONFIRM_FIELD``), and a count that is no longer right (a row was
excluded or included since) is refused like a stale page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import false, func, select, true

from poser.models.data_extraction.catalog_review import margin_at_price, product_price
from poser.models.orm import Batch, CatalogBatchRow, User
from poser.tasks.batches import get_handler
from poser.tasks.batches.base import BatchError
from poser.tasks.batches.catalog.compare import COMPARED
from poser.tasks.batches.exclusions import Exclusions, ReviewCounts, parse_lines
from poser.tasks.sessions import session_of

R = CatalogBatchRow
T = TypeVar("T")
__all__ = [
    "CONFIRM_FIELD",
    "ReviewCounts",
    "check_confirmed",
    "exclude_flagged",
    "exclude_lines",
    "excluded_by_status",
    "include_rows",
    "largest_changes",
    "parse_lines",
    "review_counts",
    "set_exclusion",
]

#: The form field that confirms applying the flagged rows: it holds how many.
CONFIRM_FIELD = "apply_flagged"
#: How many of the largest changes the confirmation shows.
LARGEST = 5


@dataclass(frozen=True)
class Change:
    """One row's change as the confirmation shows it: the case cost old -> new and the
    margin at the product's price today, before and with the new cost."""

    row_id: int
    line: int
    upc: str
    description: str
    product_id: int | None
    #: The UPC as stored (14 digits): the product's page is found by it.
    product_upc: str | None
    old_case_cost: Decimal | None
    case_cost: Decimal | None
    cost_change_percent: Decimal | None
    price: Decimal | None
    old_margin: Decimal | None
    margin: Decimal | None


EXCLUSIONS = Exclusions(
    rows=R,
    batch_type="catalog",
    kind="a vendor catalog",
    applied=COMPARED,
    not_applied="A row in error is skipped anyway: there is nothing to exclude.",
)
set_exclusion = EXCLUSIONS.set_exclusion
exclude_flagged = EXCLUSIONS.exclude_flagged
review_counts = EXCLUSIONS.counts


def exclude_lines(batch: Batch, lines_text: str, user: User | None, reason: str | None) -> int:
    """Leave the rows of these lines of the file out of the apply; how many were."""
    return EXCLUSIONS.exclude_lines(batch, lines_text, user, reason)


def include_rows(batch: Batch, lines_text: str | None = None) -> int:
    """Put excluded rows back into the apply: those of these lines, or every one."""
    return EXCLUSIONS.include_lines(batch, lines_text)


def excluded_by_status(batch: Batch) -> dict[str, int]:
    """How many rows of each status are excluded (what an apply's summary counts)."""
    rows = session_of(batch).execute(
        select(R.status, func.count())
        .where(R.batch_id == batch.id, R.excluded == true())
        .group_by(R.status)
    )
    return {status: count for status, count in rows.all()}  # noqa: C416


def largest_changes(
    batch: Batch, limit: int = LARGEST, *, flagged_only: bool = True
) -> list[Change]:
    """The rows still in the apply whose unit cost changes most, as a share of the old
    cost (flagged ones only, by default): what the confirmation puts before the
    operator."""
    price = product_price(R.product_id)
    share = func.abs(R.cost_change) / func.nullif(R.old_unit_cost, 0)
    query = (
        select(
            R.id,
            R.line,
            R.upc_text,
            R.description,
            R.product_id,
            R.upc,
            R.old_case_cost,
            R.case_cost,
            R.cost_change_percent,
            price,
            margin_at_price(price, R.old_unit_cost),
            margin_at_price(price, R.unit_cost),
        )
        .where(
            R.batch_id == batch.id,
            R.excluded == false(),
            R.status.in_(COMPARED),
            R.cost_change.is_not(None),
        )
        .order_by(share.desc(), R.line)
        .limit(limit)
    )
    if flagged_only:
        query = query.where(R.flagged == true())
    return [Change(*_decimals(row)) for row in session_of(batch).execute(query)]


def _decimals(row: Iterable[Any]) -> list[Any]:
    # SQLite hands back floats for computed numbers: the page shows them as Decimals.
    return [Decimal(repr(value)) if isinstance(value, float) else value for value in row]


def check_confirmed(batch: Batch, posted: Mapping[str, Any]) -> None:
    """Refuse an apply of a batch with flagged rows in it unless the form confirms that
    many (what the confirmation showed): a different count means the rows changed
    since the page was shown."""
    if batch.batch_type != "catalog" or get_handler("catalog").why_not_executable(batch):
        return  # not ready to apply: the apply says why first
    waiting = review_counts(batch).flagged_included
    if not waiting or str(posted.get(CONFIRM_FIELD) or "") == str(waiting):
        return
    rows = "1 flagged row" if waiting == 1 else f"{waiting:,} flagged rows"
    raise BatchError(
        f"Batch #{batch.id} would apply {rows}, whose cost changes past the tolerance, "
        "so nothing was applied: look at the largest changes, exclude the rows that are "
        "wrong, and tick the box that confirms the rest."
    )
