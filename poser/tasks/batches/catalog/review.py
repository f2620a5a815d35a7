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

from sqlalchemy import case, false, func, select, true

from poser.models.data_extraction.catalog_review import margin_at_price, product_price
from poser.models.orm import Batch, CatalogBatchRow, User
from poser.tasks.batches import get_handler
from poser.tasks.batches.base import BatchError
from poser.tasks.batches.catalog.compare import COMPARED
from poser.tasks.batches.exclusions import Exclusions, clean_reason
from poser.tasks.sessions import session_of

R = CatalogBatchRow
T = TypeVar("T")
#: The form field that confirms applying the flagged rows: it holds how many.
CONFIRM_FIELD = "apply_flagged"
#: How many of the largest changes the confirmation shows.
LARGEST = 5
#: The most lines one form may name ("1-100000" would be a typo, not a selection).
MAX_LINES = 1_000
#: Beyond any file's lines, and beyond what the databases' integers hold.
MAX_LINE = 100_000_000


@dataclass(frozen=True)
class ReviewCounts:
    """What the operator has left out, and the flagged rows still to be applied."""

    flagged: int
    flagged_included: int
    excluded: int
    #: (reason, rows), the most frequent first.
    reasons: list[tuple[str, int]]


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


def parse_lines(text: str | None) -> list[int]:
    """ "12, 40-45" -> the lines 12 and 40 to 45. BatchError for anything else."""
    lines: set[int] = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        low, dash, high = (piece.strip() for piece in part.partition("-"))
        try:
            first, last = int(low), int(high) if dash else int(low)
        except ValueError:
            raise BatchError(f"{part!r} is not a line number: give lines as 12, 40-45.") from None
        if last > MAX_LINE:
            raise BatchError(f"{part!r}: the file has no such line.")
        if first < 1 or last < first:
            raise BatchError(f"{part!r}: give a range from the lower line to the higher.")
        if last - first + len(lines) >= MAX_LINES:
            raise BatchError(f"Name at most {MAX_LINES:,} lines at once.")
        lines.update(range(first, last + 1))
    if not lines:
        raise BatchError("Name the lines to leave out, e.g. 12, 40-45.")
    return sorted(lines)


EXCLUSIONS = Exclusions(
    rows=R,
    batch_type="catalog",
    kind="a vendor catalog",
    applied=COMPARED,
    not_applied="A row in error is skipped anyway: there is nothing to exclude.",
)
_reviewable = EXCLUSIONS.reviewable
_exclude = EXCLUSIONS.exclude
set_exclusion = EXCLUSIONS.set_exclusion


def exclude_lines(batch: Batch, lines_text: str, user: User | None, reason: str | None) -> int:
    """Leave the rows of these lines of the file out of the apply; how many were."""
    _reviewable(batch)
    reason = clean_reason(reason)
    lines = parse_lines(lines_text)
    excluded = _exclude(batch, R.line.in_(lines), user, reason)
    if not excluded:
        raise BatchError(
            "None of those lines is a row that would be applied (rows in error are "
            "skipped anyway, and excluded rows stay excluded): nothing changed."
        )
    return excluded


def exclude_flagged(batch: Batch, user: User | None, reason: str | None) -> int:
    """Leave every flagged row that is still in the apply out of it."""
    _reviewable(batch)
    reason = clean_reason(reason)
    excluded = _exclude(batch, R.flagged == true(), user, reason)
    if not excluded:
        raise BatchError(f"Batch #{batch.id} has no flagged row left to exclude.")
    return excluded


def include_rows(batch: Batch, lines_text: str | None = None) -> int:
    """Put excluded rows back into the apply: those of these lines, or every one."""
    _reviewable(batch)
    which = R.line.in_(parse_lines(lines_text)) if (lines_text or "").strip() else None
    return EXCLUSIONS.include(batch, which, "No excluded row matches: nothing changed.")


def review_counts(batch: Batch) -> ReviewCounts:
    """Flagged rows (and how many of them are still in the apply) and the excluded rows
    by reason, in two grouped reads of the batch's rows."""
    session = session_of(batch)
    flagged, flagged_included = session.execute(
        select(func.count(), func.count(case((R.excluded == false(), 1)))).where(
            R.batch_id == batch.id, R.flagged == true(), R.status.in_(COMPARED)
        )
    ).one()
    reasons = [
        (reason or "no reason given", count)
        for reason, count in session.execute(
            select(R.exclude_reason, func.count())
            .where(R.batch_id == batch.id, R.excluded == true())
            .group_by(R.exclude_reason)
            .order_by(func.count().desc(), R.exclude_reason)
        )
    ]
    return ReviewCounts(
        flagged=flagged,
        flagged_included=flagged_included,
        excluded=sum(count for _, count in reasons),
        reasons=reasons,
    )


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
