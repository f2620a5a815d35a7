"""What the app framework keeps per data set: parameter values, step runs, input changes,
and uploaded files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .datasets import DataSetMixin
from .meta import Base, UTCDateTime, utcnow
from .users import User


class ParameterValue(DataSetMixin, Base):
    """One parameter's stored value in one data set (JSON: numbers, text, dates as text)."""

    __tablename__ = "parameter_value"
    __table_args__ = (PrimaryKeyConstraint("data_set_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSON)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StepRun(DataSetMixin, Base):
    """When a step last completed in a data set; it is stale if an input changed since.
    ``step`` is "<application>/<slug>": Applications that share data sets may share a
    slug."""

    __tablename__ = "step_run"
    __table_args__ = (PrimaryKeyConstraint("data_set_id", "step"),)

    step: Mapped[str] = mapped_column(String(100))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InputChange(DataSetMixin, Base):
    """When a named input (a parameter group, a table) of a data set last changed."""

    __tablename__ = "input_change"
    __table_args__ = (PrimaryKeyConstraint("data_set_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Upload(DataSetMixin, Base):
    """A file as uploaded, stored under uploads/ until a batch takes it."""

    __tablename__ = "upload"
    # Uploaded files belong to the data set they were uploaded to; a copy starts without.
    __table_args__ = {"info": {"copy_with_data_set": False}}

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(500), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()
