from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import DataSet, DataSetMember, User


def member_role(dbsession: Session, data_set_id: int, user_id: int) -> str | None:
    return dbsession.scalar(
        select(DataSetMember.role).where(
            DataSetMember.data_set_id == data_set_id, DataSetMember.user_id == user_id
        )
    )


def data_sets_for_user(dbsession: Session, user_id: int) -> list[tuple[DataSet, str]]:
    rows = dbsession.execute(
        select(DataSet, DataSetMember.role)
        .join(DataSetMember, DataSetMember.data_set_id == DataSet.id)
        .where(DataSetMember.user_id == user_id)
        .order_by(DataSet.name, DataSet.id)
    )
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
