"""Exports: generated files (reports, extracts) kept under exports/<type>/<id>/."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .datasets import DataSetMixin
from .meta import Base, UTCDateTime, utcnow
from .users import User


class Export(DataSetMixin, Base):
    """One export: its title, the files it wrote (names within its folder), who and when.

    The folder is ``exports/<export_type>/<id>/``; ``files`` lists the names in it, so
    a download names a listed file and never a path the request made up.
    """

    __tablename__ = "export"
    __table_args__ = (
        Index("ix_export_data_set_created", "data_set_id", "created_at"),
        {"info": {"copy_with_data_set": False}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    export_type: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    files: Mapped[list[str]] = mapped_column(JSON, default=list)
    row_count: Mapped[int] = mapped_column(default=0)
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("batch.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    created_by: Mapped[User | None] = relationship()

    @property
    def folder(self) -> str:
        return f"exports/{self.export_type}/{self.id}"

    def __repr__(self) -> str:
        return f"<Export {self.id} {self.export_type} {self.title!r}>"
