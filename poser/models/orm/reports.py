"""Reports a data set runs on a schedule: one schedule per report and data set."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .datasets import DataSetMixin
from .meta import Base, UTCDateTime, utcnow
from .users import User

#: How often a scheduled report runs: each day, each Monday, each first of the month.
REPORT_FREQUENCIES = ("daily", "weekly", "monthly")


class ReportSchedule(DataSetMixin, Base):
    """``report`` (its name) runs ``frequency`` with ``parameters`` (the run's stored
    values) for ``user_id``, who set it; ``last_run_on`` is the day its last run was
    queued for, so each day it is due runs once, however many schedulers look."""

    __tablename__ = "report_schedule"
    __table_args__ = (
        UniqueConstraint("data_set_id", "report", name="uq_report_schedule_report"),
        CheckConstraint("frequency IN ('daily', 'weekly', 'monthly')", name="frequency"),
        # A copy of a data set starts with no schedules: they act for who set them.
        {"info": {"copy_with_data_set": False}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report: Mapped[str] = mapped_column(String(50))
    frequency: Mapped[str] = mapped_column(String(10))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_run_on: Mapped[date | None]

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ReportSchedule {self.report} {self.frequency}>"
