from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from poser.models.orm import LoginFailure, User

# Read on every request (the identity): built once, like the other statements a page
# reads every time; a session's get() built its select each time.
_USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


def user_by_id(dbsession: Session, user_id: int) -> User | None:
    return dbsession.execute(_USER_BY_ID, {"user_id": user_id}).scalar_one_or_none()


def user_by_name(dbsession: Session, username: str) -> User | None:
    return dbsession.scalar(select(User).where(User.username == username))


def users(dbsession: Session) -> list[User]:
    return list(dbsession.scalars(select(User).order_by(User.username)))


def count_users(dbsession: Session, role: str | None = None) -> int:
    query = select(func.count()).select_from(User)
    if role is not None:
        query = query.where(User.role == role)
    return dbsession.scalar(query) or 0


class RecentFailures(NamedTuple):
    """Failed logins from one address: for one username there, and for any username."""

    of_name: int
    name_latest: datetime | None
    of_address: int
    address_latest: datetime | None


def recent_failures(
    dbsession: Session, username: str, address: str, since: datetime
) -> RecentFailures:
    """The logins that failed from ``address`` since ``since``: those for ``username``
    and all of them, each with the latest one's time."""
    of_name = LoginFailure.username == username
    row = dbsession.execute(
        select(
            func.count().filter(of_name),
            func.max(LoginFailure.at).filter(of_name),
            func.count(),
            func.max(LoginFailure.at),
        ).where(LoginFailure.address == address, LoginFailure.at >= since)
    ).one()
    return RecentFailures(row[0] or 0, _as_utc(row[1]), row[2] or 0, _as_utc(row[3]))


def serialize_login_attempts(dbsession: Session, address: str) -> None:
    """Make the caller's transaction the only one that reads and records the login
    attempts from ``address`` until it ends, so that no two attempts both pass the same
    count of failures.

    On PostgreSQL: a transaction-level advisory lock keyed by the address (two keys: the
    first keeps these locks apart from any other use of advisory locks). On SQLite the
    caller's transaction holds the database's write lock from BEGIN
    (`poser.models.engine.write_transaction`), which already serializes every writer.
    """
    if dbsession.get_bind().dialect.name == "postgresql":
        dbsession.execute(
            select(
                func.pg_advisory_xact_lock(
                    func.hashtext("poser.login_attempts"), func.hashtext(address)
                )
            )
        )


def _as_utc(value: datetime | str | None) -> datetime | None:
    # func.max() loses the column type: SQLite gives back text, and the UTC tag goes.
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
