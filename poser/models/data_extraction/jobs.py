from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from poser.models.orm import DataSetMember, Job, User


def visible_jobs_query(user: User) -> Select[tuple[Job]]:
    """Admins see every job; others the jobs of their data sets and the ones they started."""
    query = select(Job)
    if not user.is_admin:
        member_of = select(DataSetMember.data_set_id).where(DataSetMember.user_id == user.id)
        query = query.where(or_(Job.data_set_id.in_(member_of), Job.user_id == user.id))
    return query


def visible_jobs(
    dbsession: Session,
    user: User,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Job], int]:
    query = visible_jobs_query(user)
    if status:
        query = query.where(Job.status == status)
    if kind:
        query = query.where(Job.kind == kind)
    total = dbsession.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = dbsession.scalars(
        query.options(joinedload(Job.data_set), joinedload(Job.user))
        .order_by(Job.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def job_kinds_in_use(dbsession: Session) -> list[str]:
    return list(dbsession.scalars(select(Job.kind).distinct().order_by(Job.kind)))


def latest_job(dbsession: Session, data_set_id: int, kind: str) -> Job | None:
    return dbsession.scalar(
        select(Job)
        .where(Job.data_set_id == data_set_id, Job.kind == kind)
        .order_by(Job.id.desc())
        .limit(1)
    )
