"""Batches: a change to a data set, uploaded as a file, reviewed row by row, then
executed all at once (Rattail's batch lifecycle).

A batch belongs to one data set and does not follow it into a copy: its files and its
history are the original's. The row table of each batch type carries the parsed file
and what each row would change; the execution table is what makes "at most once" a
fact of the database rather than of the page.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .datasets import DataSetMixin
from .meta import Base, UTCDateTime, utcnow
from .users import User

BATCH_STATUSES = ("new", "populated", "failed", "executed")
_NOT_COPIED = {"info": {"copy_with_data_set": False}}


class Batch(DataSetMixin, Base):
    """One batch of any type: its input file, its options, and where it is in its life.

    ``status``: new (made, not read yet), populated (rows ready for review), failed
    (the file could not be read: ``error`` says why), executed.

    A batch whose changes take effect on a later date may be scheduled: the scheduler
    applies it on ``scheduled_for``, as ``scheduled_by``, through the same execution,
    if the batch is still at ``scheduled_version`` then (nothing changed since it was
    scheduled); otherwise it drops the schedule and says why in ``schedule_note``.
    """

    __tablename__ = "batch"
    __table_args__ = (
        CheckConstraint("status IN ('new', 'populated', 'failed', 'executed')", name="status"),
        Index("ix_batch_data_set_type", "data_set_id", "batch_type", "id"),
        Index("ix_batch_scheduled_for", "scheduled_for"),
        _NOT_COPIED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_type: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="new")
    description: Mapped[str] = mapped_column(String(255), default="")
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    input_key: Mapped[str | None] = mapped_column(String(500))
    input_filename: Mapped[str | None] = mapped_column(String(255))
    row_count: Mapped[int] = mapped_column(default=0)
    #: Rows per status, written by populate: what the review page and the CLI print.
    status_counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    populated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Someone looked at the rows in error (or flagged) and chose to go on without them.
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    executed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    execution_summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Moves on with every change to the batch (SQLAlchemy's version counter): a page
    #: sends the version it showed, and an apply refuses a batch changed since.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    scheduled_for: Mapped[date | None] = mapped_column(Date)
    # No foreign key: migration 0015 says why. Users are never deleted.
    scheduled_by_id: Mapped[int | None]
    scheduled_version: Mapped[int | None]
    #: The step whose page scheduled it ("<application>/<slug>"): the scheduled
    #: execution completes that step.
    scheduled_step: Mapped[str | None] = mapped_column(String(100))
    schedule_note: Mapped[str | None] = mapped_column(Text)
    #: A deleted batch keeps this row, so its number is never another batch's; its rows
    #: and files are gone. No foreign keys on these: migration 0018 says why.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None]
    #: The applied batch this one undoes.
    reverts_batch_id: Mapped[int | None]

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    executed_by: Mapped[User | None] = relationship(foreign_keys=[executed_by_id])
    scheduled_by: Mapped[User | None] = relationship(
        primaryjoin="foreign(Batch.scheduled_by_id) == User.id", viewonly=True
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Batch {self.id} {self.batch_type} {self.status}>"


class BatchExecution(Base):
    """The one execution of a batch. Its primary key is the batch's id, so a second
    execution (a double click, two workers, a retry) fails to insert, whatever the
    timing: the database refuses it, and that transaction's changes roll back."""

    __tablename__ = "batch_execution"
    __table_args__ = (_NOT_COPIED,)

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("batch.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    executed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    executed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


#: A catalog row's status: what executing it would do.
CATALOG_ROW_STATUSES = (
    "new_item",  # no product with this UPC: added if the options say so
    "new_cost",  # the product exists, this vendor has no cost for it yet
    "cost_up",
    "cost_down",
    "case_size_change",
    "vendor_code_change",
    "unchanged",
    "error",  # cannot be applied: ``message`` says why
)


class CatalogBatchRow(DataSetMixin, Base):
    """One line of a vendor catalog: as read, and compared with the vendor's cost."""

    __tablename__ = "catalog_batch_row"
    __table_args__ = (
        # The review grid: one batch, filtered by status, sorted by the change.
        # The id ends them because the grid breaks ties by it: PostgreSQL's indexes do
        # not hold it otherwise (SQLite's hold the rowid anyway), and a status whose
        # changes are all NULL (new items) is then one long tie to sort.
        Index("ix_catalog_batch_row_status", "batch_id", "status", "cost_change", "id"),
        Index("ix_catalog_batch_row_change", "batch_id", "cost_change", "id"),
        # Duplicate UPCs within a file, and the match with products.
        Index("ix_catalog_batch_row_upc", "batch_id", "upc"),
        _NOT_COPIED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Not indexed, unlike other domain tables: rows are reached through their batch,
    # and one index less is a faster load of a million rows.
    data_set_id: Mapped[int] = mapped_column(ForeignKey("data_set.id", ondelete="CASCADE"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    # As read (for the report) and as stored (14 digits, None when it is not a UPC).
    upc_text: Mapped[str] = mapped_column(String(50), default="")
    upc: Mapped[str | None] = mapped_column(String(14))
    vendor_item_code: Mapped[str] = mapped_column(String(50), default="")
    description: Mapped[str] = mapped_column(String(200), default="")
    brand: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[str] = mapped_column(String(50), default="")
    department: Mapped[str] = mapped_column(String(100), default="")
    case_size: Mapped[int | None]
    case_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    # The product and the vendor's current cost for it, when there is one.
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"))
    old_vendor_item_code: Mapped[str | None] = mapped_column(String(50))
    old_case_size: Mapped[int | None]
    old_case_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    old_unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    cost_change: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    cost_change_percent: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    # None until populate has compared the row with the catalog.
    status: Mapped[str | None] = mapped_column(String(20))
    #: The change is beyond the batch's tolerance: worth a second look.
    flagged: Mapped[bool] = mapped_column(default=False, server_default=false())
    message: Mapped[str] = mapped_column(Text, default="")
    #: Left out of the apply by an operator, who said why. The database's default
    #: alone: the rows are loaded in bulk with the columns that `rows` reads.
    excluded: Mapped[bool] = mapped_column(server_default=false())
    excluded_by_id: Mapped[int | None]
    exclude_reason: Mapped[str | None] = mapped_column(String(200))
