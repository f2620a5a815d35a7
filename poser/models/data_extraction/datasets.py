from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from poser.models.orm import DataSet, DataSetMember, User


def member_role(dbsession: Session, data_set_id: int, user_id: int) -> str | None:
    return dbsession.scalar(
        select(DataSetMember.role).where(
            DataSetMember.data_set_id == data_set_id, DataSetMember.user_id == user_id
        )
    )


# Read on every page of a data set: built once, because building the select and its
# cache key takes longer than running it.
_DATA_SET_FOR_MEMBER = (
    select(DataSet, DataSetMember.role)
    .join(DataSetMember, DataSetMember.data_set_id == DataSet.id)
    .where(DataSet.id == bindparam("data_set_id"), DataSetMember.user_id == bindparam("user_id"))
)


def data_set_for_member(
    dbsession: Session, data_set_id: int, user_id: int
) -> tuple[DataSet, str] | None:
    """The data set and the user's role in it, or None when the user is not a member."""
    parameters = {"data_set_id": data_set_id, "user_id": user_id}
    row = dbsession.execute(_DATA_SET_FOR_MEMBER, parameters).first()
    return (row[0], row[1]) if row else None


def data_sets_for_user(
    dbsession: Session, user_id: int, application: str | None = None
) -> list[tuple[DataSet, str]]:
    """The user's data sets with their role, by name; only one Application's if given."""
    query = (
        select(DataSet, DataSetMember.role)
        .join(DataSetMember, DataSetMember.data_set_id == DataSet.id)
        .where(DataSetMember.user_id == user_id)
        .order_by(DataSet.name, DataSet.id)
    )
    if application is not None:
        query = query.where(DataSet.application == application)
    rows = dbsession.execute(query)
    return [(data_set, role) for data_set, role in rows]


def members(dbsession: Session, data_set_id: int) -> list[tuple[str, str]]:
    """(username, role) of each member, owners first."""
    rows = dbsession.execute(
        select(User.username, DataSetMember.role)
        .join(DataSetMember, DataSetMember.user_id == User.id)
        .where(DataSetMember.data_set_id == data_set_id)
        .order_by(DataSetMember.role != "owner", User.username)
    )
    return [(username, role) for username, role in rows]
