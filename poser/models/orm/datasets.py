from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from .meta import Base, UTCDateTime, utcnow
from .users import User

MEMBER_ROLES = ("owner", "editor", "viewer")


class DataSet(Base):
    """An isolated workspace (a store, a what-if copy). Every domain row belongs to one."""

    __tablename__ = "data_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The Application this data set belongs to (its url_name).
    application: Mapped[str] = mapped_column(String(100), index=True, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    created_by: Mapped[User | None] = relationship()
    members: Mapped[list[DataSetMember]] = relationship(
        back_populates="data_set", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<DataSet {self.id} {self.name!r}>"


class DataSetMember(Base):
    __tablename__ = "data_set_member"
    __table_args__ = (
        CheckConstraint("role IN ('owner', 'editor', 'viewer')", name="role"),
        # A copy is its copier's own; who may see it is decided again.
        {"info": {"copy_with_data_set": False}},
    )

    data_set_id: Mapped[int] = mapped_column(
        ForeignKey("data_set.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(10))

    data_set: Mapped[DataSet] = relationship(back_populates="members")
    user: Mapped[User] = relationship(back_populates="memberships")


class DataSetMixin:
    """For domain tables: each row belongs to one data set and goes when it goes.

    Unique constraints on a domain table must include ``data_set_id``.
    """

    @declared_attr
    def data_set_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("data_set.id", ondelete="CASCADE"), index=True)
