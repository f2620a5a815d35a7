"""Inventory count batches: scanner files and typed lines, compared with on-hand.

One row per line read (a file's line or a typed one). Lines of the same product add
up: the product's first line carries the count (``counted_units``) and what applying
it does; its other lines are ``merged`` into it. In "zero the rest" mode, a product of
a counted department that no line counted gets a row of its own (``not_counted``,
``line`` 0), so the review shows it going to zero and the apply and a revert treat it
as any row.

Like catalog rows, these stay with their batch and do not follow a data set's copy.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from .datasets import DataSetMixin
from .meta import Base

#: An inventory row's status: what applying it does.
INVENTORY_ROW_STATUSES = (
    "increase",  # on-hand goes up
    "decrease",  # on-hand goes down
    "unchanged",  # the count is what on-hand says
    "not_counted",  # zero the rest: a product of a counted department no line counted
    "merged",  # another line of the same product holds the count
    "replaced",  # a recount file counts the product again: this line no longer counts
    "error",  # cannot be applied: ``message`` says why
)
#: How a line's quantity is counted.
INVENTORY_UNITS = ("units", "cases")


class InventoryBatchRow(DataSetMixin, Base):
    """One counted line: as read, and compared with the product's on-hand."""

    __tablename__ = "inventory_batch_row"
    __table_args__ = (
        # The review grid: one batch, filtered by status, sorted by the variance.
        Index("ix_inventory_batch_row_status", "batch_id", "status", "variance_cost", "id"),
        # The review grid over all statuses, sorted by the variance.
        Index("ix_inventory_batch_row_variance", "batch_id", "variance_cost", "id"),
        # Merging a product's lines, and finding a product's row.
        Index("ix_inventory_batch_row_product", "batch_id", "product_id", "id"),
        {"info": {"copy_with_data_set": False}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Not indexed: rows are reached through their batch (as catalog rows).
    data_set_id: Mapped[int] = mapped_column(ForeignKey("data_set.id", ondelete="CASCADE"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    #: The scanner file's name; "" for a typed line or a product no line counted.
    file_name: Mapped[str] = mapped_column(String(255), default="")
    upc_text: Mapped[str] = mapped_column(String(50), default="")
    upc: Mapped[str | None] = mapped_column(String(14))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"))
    #: The product's department when the count was read (subtotals, zero the rest).
    department_id: Mapped[int | None]
    #: Where it was counted: a section or an aisle, as the file or the operator says.
    section: Mapped[str] = mapped_column(String(50), default="")
    #: The quantity as read, in ``unit``; in units once cases are multiplied out.
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    unit: Mapped[str] = mapped_column(String(10), default="units")
    quantity_units: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    #: The product's count over all its lines (on its first line only).
    counted_units: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    #: On-hand when the count was read, and what applying the row sets it to.
    on_hand_before: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    new_on_hand: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    #: The product's preferred unit cost and regular price when the count was read.
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    variance_units: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    variance_percent: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    variance_cost: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    variance_retail: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    # None until populate has compared the row with on-hand.
    status: Mapped[str | None] = mapped_column(String(20))
    #: Past a recount threshold: worth counting again.
    flagged: Mapped[bool] = mapped_column(default=False, server_default=false())
    message: Mapped[str] = mapped_column(Text, default="")
    #: Left out of the apply by an operator, who said why (as catalog rows).
    excluded: Mapped[bool] = mapped_column(server_default=false())
    excluded_by_id: Mapped[int | None]
    exclude_reason: Mapped[str | None] = mapped_column(String(200))
    #: How far on-hand moved since the count was read (None: it did not).
    moved_since: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
