"""Applying a count: on-hand set in the caller's transaction, logged first.

Two statements, whatever the number of rows: the change log (field ``on_hand``, old
and new, with the batch, its row, who and what ran it) by INSERT ... SELECT over the
rows, then on-hand by UPDATE ... FROM them. Only rows whose apply changes on-hand
(``compare.APPLIED``), not excluded, are touched: a product has at most one such row
(its lines merge into its first).

On PostgreSQL the UPDATE is heap-only: on-hand is in none of product's indexes, and its
pages keep room for the new versions (fillfactor 50, migration 0023), so no index takes
an entry (200,000 products: 1.3 s; on full pages, 63 s). An index that holds on-hand
would undo that. The change log's INSERT is the larger part left: PostgreSQL checks
each row's foreign keys one row at a time, three of them (its product within its data
set, one key: migration 0025; the user; the vendor, NULL here but still called).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, case, cast, false, func, insert, literal, select, update
from sqlalchemy.orm import Session

from poser.models.orm import Batch, InventoryBatchRow, Product, ProductChange
from poser.tasks.batches.inventory.compare import APPLIED
from poser.tasks.product_history import ChangeSource, source_values

R = InventoryBatchRow
#: Why on-hand changed, as the product's history says it, by the count's mode.
REASONS = {
    "replace": "Inventory count: on-hand set to the count",
    "adjust": "Inventory count added to on-hand",
    "zero_rest": "Inventory count: on-hand set to the count",
}


def number_text(column: Any, dialect: str) -> Any:
    """A quantity as the log keeps it ("12", "12.5": no trailing zeros), in SQL: the
    databases write 12.000 (PostgreSQL) or 12.0 (SQLite). PostgreSQL's trim_scale
    drops the zeros for a third of what the text's trimming costs (200,000 rows' old
    and new values: 45 ms against 130)."""
    if dialect == "postgresql":
        return cast(func.trim_scale(column), String)
    text = cast(column, String)
    return case(
        (text.like("%.%"), func.rtrim(func.rtrim(text, "0"), ".")),
        else_=text,
    )


def applied(batch: Batch) -> Any:
    return and_(
        R.batch_id == batch.id,
        R.excluded == false(),
        R.status.in_(APPLIED),
        R.product_id.is_not(None),
    )


def record_on_hand_changes(
    session: Session, batch: Batch, source: ChangeSource, at: datetime
) -> int:
    """The change log's rows, before on-hand changes."""
    mode = batch.parameters.get("mode", "replace")
    dialect = session.get_bind().dialect.name
    reason = case(
        (R.status == "not_counted", literal("Inventory count: not counted, set to zero", String)),
        else_=literal(REASONS.get(mode, REASONS["replace"]), String),
    )
    if batch.reverts_batch_id is not None:
        reason = literal(f"Undoes batch #{batch.reverts_batch_id}", String)
    columns = {
        "data_set_id": R.data_set_id,
        "product_id": R.product_id,
        "batch_row_id": R.id,
        **source_values(source, at),
        "reason": reason,
        "field": literal("on_hand", String),
        "old_value": number_text(R.on_hand_before, dialect),
        "new_value": number_text(R.new_on_hand, dialect),
    }
    rows = select(*columns.values()).where(applied(batch))
    if dialect == "postgresql":
        # In the products' order, each row's foreign key check and its entry in the
        # log's product index land near the one before (200,000 rows: 2.0-2.6 s
        # against 2.5-3.3 in the count's order).
        rows = rows.order_by(R.product_id)
    statement = insert(ProductChange).from_select(list(columns), rows)
    return (
        session.connection().execute(statement.execution_options(preserve_rowcount=True)).rowcount
    )


def set_on_hand(session: Session, batch: Batch) -> int:
    statement = (
        update(Product)
        .where(applied(batch), Product.id == R.product_id)
        .values(on_hand=R.new_on_hand)
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    )
    return session.connection().execute(statement).rowcount
