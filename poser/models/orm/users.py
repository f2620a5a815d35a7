from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .meta import Base, UTCDateTime, utcnow

ROLES = ("admin", "operator")


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint("role IN ('admin', 'operator')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="operator")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Sessions carry the version they were opened with; a new password or disabling
    #: the user moves it on, which ends every older session.
    credentials_version: Mapped[int] = mapped_column(default=1, server_default="1")

    memberships: Mapped[list[DataSetMember]] = relationship(  # noqa: F821
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username!r} {self.role}>"


class LoginFailure(Base):
    """One failed login; recent ones slow down further attempts for a name or address."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class StoredSession(Base):
    """A web session, where ``session.type = ext:database`` keeps sessions in this
    database: beaker's own table (its name and columns), made by the migrations like
    every other table rather than by beaker at its first session."""

    __tablename__ = "beaker_cache"

    id: Mapped[int] = mapped_column(primary_key=True)
    namespace: Mapped[str] = mapped_column(String(255), unique=True)  # the session id
    accessed: Mapped[datetime] = mapped_column(DateTime)  # beaker's local time, naive
    created: Mapped[datetime] = mapped_column(DateTime)
    data: Mapped[bytes] = mapped_column(LargeBinary)  # beaker's pickle of the session
