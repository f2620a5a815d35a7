"""What the administration pages list: every user with their data sets, and every
data set's members."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.models.orm import DataSet, DataSetMember, User


@dataclass(frozen=True)
class Membership:
    data_set_id: int
    data_set: str
    application: str
    username: str
    user_id: int
    role: str
    active: bool


def users_with_data_set_counts(dbsession: Session) -> list[tuple[User, int]]:
    """Every user, by name, with how many data sets they are a member of."""
    counts = (
        select(DataSetMember.user_id, func.count().label("n"))
        .group_by(DataSetMember.user_id)
        .subquery()
    )
    rows = dbsession.execute(
        select(User, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.user_id == User.id)
        .order_by(User.username)
    ).all()
    return [(user, int(count)) for user, count in rows]


def memberships(dbsession: Session, user_id: int | None = None) -> list[Membership]:
    """Every membership of the site (or of one user), by data set name, then user."""
    query = (
        select(
            DataSet.id, DataSet.name, DataSet.application, User.username, User.id,
            DataSetMember.role, User.active,
        )
        .join(DataSetMember, DataSetMember.data_set_id == DataSet.id)
        .join(User, User.id == DataSetMember.user_id)
        .order_by(func.lower(DataSet.name), DataSet.id, User.username)
    )  # fmt: skip
    if user_id is not None:
        query = query.where(User.id == user_id)
    return [Membership(*row) for row in dbsession.execute(query).all()]


def all_data_sets(dbsession: Session) -> list[DataSet]:
    """Every data set of the site, by name."""
    return list(dbsession.scalars(select(DataSet).order_by(func.lower(DataSet.name), DataSet.id)))
