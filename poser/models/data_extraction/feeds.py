"""The queries of the storefront product feed (poser.tasks.feeds): its products, its
runs, its newest file, and the data sets that may write it nightly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from poser.models.orm import (
    DataSet,
    Department,
    Export,
    FeedRun,
    Job,
    ParameterValue,
    Product,
    User,
)

#: Rows fetched at a time: a server-side cursor on PostgreSQL, so memory stays flat.
CHUNK = 2_000


def feed_products(data_set_id: int) -> Select[Any]:
    """The data set's active products that have a price, by UPC: upc, description,
    brand, size, department, department_number, price, on_hand. The order is the UPC
    index's (data set, UPC), so the rows stream without a sort."""
    return (
        select(
            Product.upc,
            Product.description,
            Product.brand,
            Product.size,
            Department.name.label("department"),
            Department.number.label("department_number"),
            Product.regular_price.label("price"),
            Product.on_hand,
        )
        .outerjoin(Department, Department.id == Product.department_id)
        .where(
            Product.data_set_id == data_set_id,
            Product.active.is_(True),
            Product.regular_price.is_not(None),
        )
        .order_by(Product.upc)
    )


def feed_exports(data_set_id: int, export_type: str) -> Select[tuple[Export]]:
    """The data set's feed files, newest first."""
    return (
        select(Export)
        .where(Export.data_set_id == data_set_id, Export.export_type == export_type)
        .order_by(Export.id.desc())
    )


def latest_feed(dbsession: Session, data_set_id: int, export_type: str) -> Export | None:
    return dbsession.scalars(feed_exports(data_set_id, export_type).limit(1)).first()


def feed_runs(
    dbsession: Session, data_set_id: int, limit: int = 30
) -> list[tuple[FeedRun, Job | None, str | None, Export | None]]:
    """The data set's latest feed runs, newest first: each run, its job, the username
    of whom it ran for (None: the scheduler, or a user since deleted) and the export
    it wrote (None until it has, and once it is no longer kept)."""
    rows = dbsession.execute(
        select(FeedRun, Job, User.username, Export)
        .outerjoin(Job, Job.id == FeedRun.job_id)
        .outerjoin(User, User.id == Job.user_id)
        .outerjoin(Export, Export.id == FeedRun.export_id)
        .where(FeedRun.data_set_id == data_set_id)
        .order_by(FeedRun.id.desc())
        .limit(limit)
    ).all()
    return [(run, job, username, export) for run, job, username, export in rows]


def stored_values(dbsession: Session, name: str, application: str) -> list[tuple[DataSet, Any]]:
    """Each data set of ``application`` that has a stored value of the parameter
    ``name``, with that value (JSON), by data set id."""
    rows = dbsession.execute(
        select(DataSet, ParameterValue.value)
        .join(ParameterValue, ParameterValue.data_set_id == DataSet.id)
        .where(ParameterValue.name == name, DataSet.application == application)
        .order_by(DataSet.id)
    ).all()
    return [(data_set, value) for data_set, value in rows]
