"""A product's change log: every change to a product, one row per field changed.

Whatever makes the change (a catalog batch's apply, an edit in the Products grid, a
command, a job), the task that makes it writes it here, the same way: the field, what
it was and what it became, who, when, and what made it. The product page reads it as
the product's timeline (``poser.models.data_extraction.history``).

A vendor's cost is one row (field ``cost``, with ``vendor_id``) holding the unit cost,
the case cost and the case size before and after, typed; every other field keeps its
value before and after as text (a price "3.99", on hand "12.5", active "true"/"false",
a department by its name), which the page words for operators.

Products a data set starts with (a workbook imported, a data set copied, sample data
generated) are its starting point, not changes: they are not logged. A product a
catalog batch adds is (field ``added``). The log stays with its data set: a copy
starts without one, as its batches stay with the original.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from .datasets import DataSetMixin
from .meta import Base, UTCDateTime, utcnow

#: What a change is to: ``added`` is the product itself, added by a batch.
CHANGE_FIELDS = (
    "added",
    "cost",
    "vendor_item_code",
    "regular_price",
    "on_hand",
    "description",
    "brand",
    "size",
    "department",
    "preferred_vendor",
    "active",
)
#: What made a change: a batch's apply, an edit on a page, a command, a job.
CHANGE_SOURCES = ("batch", "edit", "command", "job")


class ProductChange(DataSetMixin, Base):
    __tablename__ = "product_change"
    # No CHECK on ``field`` and ``source``: on SQLite, checking a value against a
    # list per row doubles the time a catalog's apply takes to log its changes
    # (90,000 rows: 1.0 s instead of 0.45). Only tasks write the log, with the
    # constants above (``ChangeSource`` refuses any other source).
    __table_args__ = (
        # The product's timeline, newest first. The only index: a catalog's apply
        # inserts a row per change, and each index is a write per row.
        Index("ix_product_change_product", "product_id", "changed_at", "id"),
        # The product, within the change's data set: one foreign key where a product's
        # and a data set's would be two, and each is checked once per row inserted (a
        # count's apply logs 200,000 changes: PostgreSQL's checks are the larger part
        # of it). Deleting the product, or its data set, deletes its changes.
        ForeignKeyConstraint(
            ["data_set_id", "product_id"],
            ["product.data_set_id", "product.id"],
            ondelete="CASCADE",
        ),
        {"info": {"copy_with_data_set": False}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Not indexed, unlike other domain tables: changes are reached through their
    # product, and a data set's deletion reaches them through its products. The
    # product's data set: both are the foreign key above.
    data_set_id: Mapped[int] = mapped_column()
    product_id: Mapped[int] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    field: Mapped[str] = mapped_column(String(20))
    # The vendor of a cost or item code change; NULL once the vendor is deleted (the
    # change stays in the product's history).
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendor.id", ondelete="SET NULL"))
    old_value: Mapped[str | None] = mapped_column(String(200))
    new_value: Mapped[str | None] = mapped_column(String(200))
    old_unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    new_unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    old_case_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    new_case_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    old_case_size: Mapped[int | None]
    new_case_size: Mapped[int | None]
    #: What made it: ``batch`` (``batch_id``, ``batch_row_id``), ``edit`` (``page``,
    #: the Application's and step's URL names, "products/catalog"), ``command``
    #: (``command``, "poser catalog import"), ``job`` (``job_id``). A batch applied by
    #: a job or a command also names that job or command.
    source: Mapped[str] = mapped_column(String(20))
    # No foreign keys: an applied batch and its rows are kept (only a batch never
    # applied is deleted), and finished jobs may be purged while their changes stay.
    batch_id: Mapped[int | None]
    batch_row_id: Mapped[int | None]
    job_id: Mapped[int | None]
    page: Mapped[str | None] = mapped_column(String(200))
    command: Mapped[str | None] = mapped_column(String(100))
    #: Why, when something says: a flagged catalog line's message, an operator's note.
    reason: Mapped[str | None] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<ProductChange product={self.product_id} {self.field} {self.source}>"
