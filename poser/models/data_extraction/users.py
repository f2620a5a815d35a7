from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, func, or_, select
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


def recent_failures(
    dbsession: Session, username: str, address: str, since: datetime
) -> tuple[int, datetime | None]:
    """How many logins failed for this name or address since ``since``, and the latest."""
    count, latest = dbsession.execute(
        select(func.count(), func.max(LoginFailure.at)).where(
            LoginFailure.at >= since,
            or_(LoginFailure.username == username, LoginFailure.address == address),
        )
    ).one()
    if latest is not None and not isinstance(latest, datetime):
        latest = datetime.fromisoformat(str(latest))
    return count or 0, _as_utc(latest)


def _as_utc(value: datetime | None) -> datetime | None:
    # func.max() loses the column type, so the UTC tag has to be put back here.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
