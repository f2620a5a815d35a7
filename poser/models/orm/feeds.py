"""Runs of a data set's storefront product feed: each one written, nightly or by hand."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .datasets import DataSetMixin
from .meta import Base, UTCDateTime, utcnow


class FeedRun(DataSetMixin, Base):
    """One run of the product feed: the Job that writes it (who, when, how it ended)
    and the Export it wrote (None until it has, and once it is no longer kept).

    ``night`` is the night (a UTC date) a nightly run is for, None for a run started by
    hand. It is unique per data set: the scheduler claims a night by inserting its
    run, so two schedulers (or a retry of the scheduler's job) write one feed a night.
    """

    __tablename__ = "feed_run"
    __table_args__ = (
        UniqueConstraint("data_set_id", "night", name="uq_feed_run_night"),
        # A copy of a data set starts with no feed runs: its files are the original's.
        {"info": {"copy_with_data_set": False}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    night: Mapped[date | None]
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    export_id: Mapped[int | None] = mapped_column(
        ForeignKey("export.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<FeedRun {self.id} night={self.night}>"
