"""Undoing an applied catalog batch: a new batch that puts back what it changed.

The new batch (``reverts_batch_id`` names the original) has a row for each row the
original applied, with the values that row found before the apply as its new values
and what the apply wrote as its old ones. It is then applied like any batch, by the
execute job: once, all of it or nothing, checked against the catalog as it is then,
and recorded on each product's history as made by the reverting batch.

Where the values to put back come from: the original's rows, not the products' change
log. The rows' old values (``old_case_cost``, ``old_unit_cost``, ``old_case_size``,
``old_vendor_item_code``) are what the apply's own statements overwrote, compared in the
transaction that read the file and checked again before the apply; the log's entries for
that apply are copies of those same columns (written by INSERT ... SELECT from the rows),
so the two cannot disagree, and the rows hold a line's pack, costs and item code together,
where the log spreads them over several entries per product.

Whether a product changed since: the catalog as it is now, compared with what the apply
wrote (the same check an apply makes, ``compare.stale_rows``): a cost edited and edited
back is as the apply left it, and a change made by any means counts. A product the batch
added had nothing before it, so for it the change log decides: any change to it made by
anything but the original batch is a change since. A row whose product changed since is
left alone: it is in the new batch, excluded, with that reason, so the page lists it.

A product the batch added is retired, never deleted: made inactive (one added inactive,
needing a price, stays so) and without the vendor's cost the batch gave it, as before
the batch; it keeps its history (the apply and the revert, the cost there to read) and
whatever refers to it, so it can be made active again by hand. A cost the batch added to
an existing product is removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Integer,
    Numeric,
    String,
    and_,
    case,
    cast,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session

from poser.models.orm import (
    Batch,
    CatalogBatchRow,
    DataSet,
    Job,
    Product,
    ProductChange,
    ProductCost,
    User,
)
from poser.tasks.batches import revert as undoing
from poser.tasks.batches.catalog.compare import stale_rows
from poser.tasks.jobs import JobQueue
from poser.tasks.product_history import ChangeSource, source_values
from poser.tasks.sessions import session_of

R = CatalogBatchRow
#: The form field that confirms a revert: it holds the number of the batch undone.
CONFIRM_FIELD = undoing.CONFIRM_FIELD
#: What a row of the original becomes in the revert.
REVERSED = {
    "cost_up": "cost_down",
    "cost_down": "cost_up",
    "case_size_change": "case_size_change",
    "vendor_code_change": "vendor_code_change",
    "new_cost": "remove_cost",
    "new_item": "retire_item",
}
#: The original's rows that changed a cost the vendor had.
_UPDATES = ("cost_up", "cost_down", "case_size_change", "vendor_code_change")


def why_not_revertible(batch: Batch) -> str | None:
    """Why ``batch`` cannot be undone, for the operator; None when it can."""
    return undoing.why_not_revertible(
        batch, "catalog", "a vendor catalog", "upload that catalog again"
    )


def planned(batch: Batch) -> dict[str, int]:
    """What reverting ``batch`` would do, by the original's applied rows: costs put back,
    costs removed, products retired (before the check for changes since)."""
    rows = session_of(batch).execute(
        select(R.status, func.count())
        .where(
            R.batch_id == batch.id,
            R.excluded == false(),
            R.status.in_(list(REVERSED)),
            R.product_id.is_not(None),
        )
        .group_by(R.status)
    )
    counts = dict(rows.all())
    return {
        "costs_restored": sum(counts.get(status, 0) for status in _UPDATES),
        "costs_removed": counts.get("new_cost", 0),
        "items_retired": counts.get("new_item", 0),
    }


def revert_batch(
    data_set: DataSet, posted: Mapping[str, Any], user: User | None, queue: JobQueue
) -> tuple[Batch, Job]:
    """Make the batch that undoes the catalog the form names and queue its apply
    (`poser.tasks.batches.revert`); BatchError, nothing done, when it cannot be undone."""
    return undoing.revert_batch(
        data_set, posted, user, queue, why_not=why_not_revertible, make_revert=make_revert
    )


def make_revert(original: Batch, user: User | None) -> Batch:
    """The batch that undoes ``original``, its rows ready to apply; the rows whose
    product changed since the apply are in it, excluded, with that reason."""
    session = session_of(original)
    parameters = original.parameters
    revert = undoing.start_revert(
        original,
        user,
        {
            "vendor_id": parameters["vendor_id"],
            "vendor_code": parameters.get("vendor_code"),
            "tolerance_percent": parameters.get("tolerance_percent", "10"),
            "new_items": "skip",
            "effective_date": None,
            "mapping": {},
        },
    )
    _copy_rows(session, original, revert)
    left_alone = _exclude_changed_since(session, original, revert, user)
    return undoing.finish_revert(
        revert,
        left_alone,
        nothing=f"Batch #{original.id} changed no product: there is nothing to undo.",
        all_left=f"Every product batch #{original.id} changed has changed since, so nothing "
        "was reverted: each is left as it is.",
    )


def _copy_rows(session: Session, original: Batch, revert: Batch) -> int:
    """One row of ``revert`` per applied row of ``original``: its values before the
    apply as the new ones, what the apply wrote as the old ones."""
    o = R.__table__.alias("original")
    status = case(*((o.c.status == old, new) for old, new in REVERSED.items()))
    update_row = o.c.status.in_(_UPDATES)
    written_code = func.coalesce(func.nullif(o.c.vendor_item_code, ""), o.c.old_vendor_item_code)
    back = -o.c.cost_change
    percent = case(
        (and_(update_row, o.c.unit_cost > 0), func.round(back * 100 / o.c.unit_cost, 2)),
        else_=None,
    )
    values = {
        "data_set_id": o.c.data_set_id,
        "batch_id": literal(revert.id, Integer),
        "line": o.c.line,
        "upc_text": o.c.upc_text,
        "upc": o.c.upc,
        "description": o.c.description,
        "brand": o.c.brand,
        "size": o.c.size,
        "department": o.c.department,
        "vendor_item_code": case(
            (update_row, func.coalesce(o.c.old_vendor_item_code, "")), else_=""
        ),
        "case_size": case((update_row, o.c.old_case_size), else_=None),
        "case_cost": case((update_row, o.c.old_case_cost), else_=None),
        "unit_cost": case((update_row, o.c.old_unit_cost), else_=None),
        "product_id": o.c.product_id,
        "old_vendor_item_code": written_code,
        "old_case_size": o.c.case_size,
        "old_case_cost": o.c.case_cost,
        "old_unit_cost": o.c.unit_cost,
        "cost_change": case((update_row, back), else_=None),
        "cost_change_percent": cast(percent, Numeric(10, 2)),
        "status": status,
        "flagged": false(),
        "message": literal(f"Undoes batch #{original.id}", String),
    }
    rows = select(*values.values()).where(
        o.c.batch_id == original.id,
        o.c.excluded == false(),
        o.c.status.in_(list(REVERSED)),
        o.c.product_id.is_not(None),
    )
    statement = insert(R).from_select(list(values), rows)
    return session.execute(statement.execution_options(preserve_rowcount=True)).rowcount


def _exclude_changed_since(
    session: Session, original: Batch, revert: Batch, user: User | None
) -> int:
    """Exclude the revert's rows whose product changed since the original's apply."""
    other_change = exists().where(
        ProductChange.product_id == R.product_id,
        or_(ProductChange.batch_id.is_(None), ProductChange.batch_id != original.id),
    )
    reason = f"Changed since batch #{original.id} was applied: left as it is"
    total = 0
    for which in (
        R.id.in_(stale_rows(revert, R.id).scalar_subquery()),
        and_(R.status == "retire_item", other_change),
    ):
        total += session.execute(
            update(R)
            .where(R.batch_id == revert.id, R.excluded == false(), which)
            .values(excluded=True, excluded_by_id=user.id if user else None, exclude_reason=reason)
            .execution_options(synchronize_session=False)
        ).rowcount
    return total


# -- applying a revert: what a catalog's apply does not ----------------------------------


def remove_costs(
    session: Session, batch: Batch, vendor_id: int, source: ChangeSource, at: datetime
) -> int:
    """Remove the vendor's costs the reverted batch added (to products it found or made),
    logged first (cost -> none)."""
    picked = and_(
        R.batch_id == batch.id,
        R.status.in_(("remove_cost", "retire_item")),
        R.excluded == false(),
        R.product_id.is_not(None),
    )
    columns = {
        "data_set_id": R.data_set_id,
        "product_id": R.product_id,
        "batch_row_id": R.id,
        **source_values(source, at),
        "reason": func.substr(R.message, 1, 200),
        "field": literal("cost", String),
        "vendor_id": literal(vendor_id, Integer),
        "old_unit_cost": R.old_unit_cost,
        "old_case_cost": R.old_case_cost,
        "old_case_size": R.old_case_size,
    }
    session.execute(
        insert(ProductChange).from_select(list(columns), select(*columns.values()).where(picked))
    )
    products = select(R.product_id).where(picked).scalar_subquery()
    return session.execute(
        delete(ProductCost)
        .where(
            ProductCost.data_set_id == batch.data_set_id,
            ProductCost.vendor_id == vendor_id,
            ProductCost.product_id.in_(products),
        )
        .execution_options(synchronize_session=False)
    ).rowcount


def retire_items(session: Session, batch: Batch, source: ChangeSource, at: datetime) -> int:
    """Make the products the reverted batch added inactive, logged first (active yes ->
    no); one already inactive stays as it is."""
    active = exists().where(Product.id == R.product_id, Product.active == true())
    picked = and_(
        R.batch_id == batch.id,
        R.status == "retire_item",
        R.excluded == false(),
        R.product_id.is_not(None),
        active,
    )
    columns = {
        "data_set_id": R.data_set_id,
        "product_id": R.product_id,
        "batch_row_id": R.id,
        **source_values(source, at),
        "reason": func.substr(R.message, 1, 200),
        "field": literal("active", String),
        "old_value": literal("true", String),
        "new_value": literal("false", String),
    }
    session.execute(
        insert(ProductChange).from_select(list(columns), select(*columns.values()).where(picked))
    )
    products = select(R.product_id).where(
        R.batch_id == batch.id, R.status == "retire_item", R.excluded == false()
    )
    return session.execute(
        update(Product)
        .where(Product.id.in_(products.scalar_subquery()), Product.active == true())
        .values(active=False)
        .execution_options(synchronize_session=False)
    ).rowcount
