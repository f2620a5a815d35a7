"""Which exports a user may see, and the data set each belongs to."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from poser.models.orm import DataSet, DataSetMember, Export, User

T = TypeVar("T", bound=tuple[Any, ...])


def only_visible(query: Select[T], user: User) -> Select[T]:
    """The exports of the data sets ``user`` is a member of; admins are no exception."""
    member_of = select(DataSetMember.data_set_id).where(DataSetMember.user_id == user.id)
    return query.where(Export.data_set_id.in_(member_of))


def visible_exports(
    dbsession: Session,
    user: User,
    export_type: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[Export, DataSet]], int]:
    """A page of (export, its data set), newest first, and how many there are in all."""
    query = only_visible(
        select(Export, DataSet).join(DataSet, DataSet.id == Export.data_set_id), user
    )
    if export_type:
        query = query.where(Export.export_type == export_type)
    total = dbsession.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = dbsession.execute(
        query.options(joinedload(Export.created_by))
        .order_by(Export.created_at.desc(), Export.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [(export, data_set) for export, data_set in rows], total


def visible_export_types(dbsession: Session, user: User) -> list[str]:
    query = select(Export.export_type).distinct().order_by(Export.export_type)
    return list(dbsession.scalars(only_visible(query, user)))
