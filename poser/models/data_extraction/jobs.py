from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from poser.models.orm import FINISHED_STATUSES, Batch, DataSetMember, Job, User


def visible_jobs_query(user: User) -> Select[tuple[Job]]:
    """The jobs ``user`` may view (the security policy's job ACL, as a query): those of
    the data sets they are a member of now, whoever started them, and for admins the
    jobs of no data set (maintenance). Starting a job gives no right to see it."""
    member_of = select(DataSetMember.data_set_id).where(DataSetMember.user_id == user.id)
    visible = Job.data_set_id.in_(member_of)
    if user.is_admin:
        visible = or_(visible, Job.data_set_id.is_(None))
    return select(Job).where(visible)


#: The Jobs page's status filter for jobs that have not finished (queued or running).
UNFINISHED = "unfinished"


def visible_jobs(
    dbsession: Session,
    user: User,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
    data_set_id: int | None = None,
) -> tuple[list[Job], int]:
    """The jobs ``user`` may view, newest first, of a status (or `UNFINISHED`), a kind
    and a data set when given; and how many there are."""
    query = visible_jobs_query(user)
    if status == UNFINISHED:
        query = query.where(Job.status.not_in(FINISHED_STATUSES))
    elif status:
        query = query.where(Job.status == status)
    if data_set_id is not None:
        query = query.where(Job.data_set_id == data_set_id)
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


def job_kinds_in_use(dbsession: Session, user: User) -> list[str]:
    """The kinds of the jobs ``user`` may view, for the list's filter."""
    visible = visible_jobs_query(user).subquery()
    return list(dbsession.scalars(select(visible.c.kind).distinct().order_by(visible.c.kind)))


def latest_job(
    dbsession: Session,
    data_set_id: int,
    kind: str,
    *,
    batch_id: int | None = None,
    batch_type: str | None = None,
) -> Job | None:
    """The data set's latest job of ``kind``; with ``batch_id``, the latest about that
    batch (its ``batch_id`` parameter); with ``batch_type``, about a batch of that type."""
    query = select(Job).where(Job.data_set_id == data_set_id, Job.kind == kind)
    about = Job.parameters["batch_id"].as_integer()
    if batch_id is not None:
        query = query.where(about == batch_id)
    if batch_type is not None:
        of_type = select(Batch.id).where(
            Batch.data_set_id == data_set_id, Batch.batch_type == batch_type
        )
        query = query.where(about.in_(of_type))
    return dbsession.scalar(query.order_by(Job.id.desc()).limit(1))
