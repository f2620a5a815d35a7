"""A data set's dashboard: what needs attention today, and its key figures.

The lists (batches waiting, jobs running or failed, the latest exports and report
runs) are short reads of small tables by their data set's index. The key figures read
every product of the data set through the reports' own queries (one implementation of
each figure): the products and the average margin from ``margin_rows``, the value at
cost from ``valuation_by_department``, the products needing attention by counting
``attention_rows``. Over a million products that is seconds, not the page's 100 ms, so
a big data set's figures are worked out by a job (`poser.tasks.dashboard`) and kept in
its result; `products_up_to` says whether a data set is small enough to read them live.

Nothing here knows the batch types, job kinds or reports: the caller names them, from
the registries of the tasks layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.models.data_extraction.batch_list import UNDER_REVIEW
from poser.models.data_extraction.reports import (
    attention_conditions,
    attention_rows,
    margin_rows,
    report_runs,
)
from poser.models.data_extraction.valuation import valuation_by_department
from poser.models.orm import Batch, Export, InputChange, Job, Product

#: The most items each list shows; its count says how many there are in all.
SHOWN = 5
#: How far back failed jobs are shown.
FAILED_DAYS = 7
#: What the chart calls the stock of products in no department.
NO_DEPARTMENT = "(no department)"
#: The input that edits of products mark as changed (`poser.tasks.steps.touch_inputs`).
PRODUCTS_INPUT = "products"


# -- what needs attention ----------------------------------------------------------------


@dataclass(frozen=True)
class WaitingBatches:
    """The live batches of the given types still to review or apply: ``counts`` by
    type and status (``new``: its file is being read; ``populated``: ready), and the
    newest few."""

    counts: dict[str, dict[str, int]]
    newest: list[Batch]

    @property
    def total(self) -> int:
        return sum(sum(by_status.values()) for by_status in self.counts.values())


def waiting_batches(
    dbsession: Session, data_set_id: int, batch_types: Sequence[str], limit: int = SHOWN
) -> WaitingBatches:
    if not batch_types:
        return WaitingBatches({}, [])
    waiting = (
        Batch.data_set_id == data_set_id,
        Batch.batch_type.in_(batch_types),
        Batch.status.in_(UNDER_REVIEW),
        Batch.deleted_at.is_(None),
    )
    counts: dict[str, dict[str, int]] = {}
    for batch_type, status, count in dbsession.execute(
        select(Batch.batch_type, Batch.status, func.count()).where(*waiting)
        .group_by(Batch.batch_type, Batch.status)
    ):  # fmt: skip
        counts.setdefault(batch_type, {})[status] = count
    newest = dbsession.scalars(select(Batch).where(*waiting).order_by(Batch.id.desc()).limit(limit))
    return WaitingBatches(counts, list(newest))


@dataclass(frozen=True)
class JobList:
    jobs: list[Job]
    total: int


def _jobs(dbsession: Session, data_set_id: int, *conditions: Any, limit: int) -> JobList:
    where = (Job.data_set_id == data_set_id, *conditions)
    total = dbsession.scalar(select(func.count()).select_from(Job).where(*where)) or 0
    jobs = dbsession.scalars(select(Job).where(*where).order_by(Job.id.desc()).limit(limit))
    return JobList(list(jobs), total)


def unfinished_jobs(dbsession: Session, data_set_id: int, limit: int = SHOWN) -> JobList:
    """The data set's jobs running or waiting to start, newest first."""
    return _jobs(dbsession, data_set_id, Job.status.in_(("queued", "running")), limit=limit)


def failed_jobs(dbsession: Session, data_set_id: int, now: datetime, limit: int = SHOWN) -> JobList:
    """The data set's jobs that failed in the last `FAILED_DAYS` days, newest first."""
    since = now - timedelta(days=FAILED_DAYS)
    return _jobs(
        dbsession, data_set_id, Job.status == "failed", Job.created_at >= since, limit=limit
    )


def latest_exports(
    dbsession: Session, data_set_id: int, leave_out: Sequence[str] = (), limit: int = SHOWN
) -> list[Export]:
    """The data set's newest exports of any type but ``leave_out`` (the reports',
    which the dashboard lists as report runs)."""
    query = select(Export).where(Export.data_set_id == data_set_id)
    if leave_out:
        query = query.where(Export.export_type.not_in(leave_out))
    return list(
        dbsession.scalars(query.order_by(Export.created_at.desc(), Export.id.desc()).limit(limit))
    )


def latest_report_runs(
    dbsession: Session, data_set_id: int, kinds: Sequence[str], limit: int = SHOWN
) -> list[tuple[Job, str | None, Export | None]]:
    """The newest runs of the reports whose job kinds are ``kinds`` (`report_runs`)."""
    return report_runs(dbsession, data_set_id, list(kinds), limit=limit) if kinds else []


# -- key figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFigures:
    """``average_margin`` is over the products that have a margin (None: none has);
    ``by_department`` is each department's stock at cost, (department, value)."""

    products: int
    value_at_cost: Decimal
    average_margin: Decimal | None
    needing_attention: int
    by_department: list[tuple[str, Decimal]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "products": self.products,
            "value_at_cost": str(self.value_at_cost),
            "average_margin": None if self.average_margin is None else str(self.average_margin),
            "needing_attention": self.needing_attention,
            "value_by_department": {name: str(value) for name, value in self.by_department},
        }

    @classmethod
    def from_json(cls, stored: Any) -> KeyFigures | None:
        """The figures a job kept; None when ``stored`` does not hold them."""
        try:
            margin = stored["average_margin"]
            departments = stored["value_by_department"]
            return cls(
                products=int(stored["products"]),
                value_at_cost=Decimal(stored["value_at_cost"]),
                average_margin=None if margin is None else Decimal(margin),
                needing_attention=int(stored["needing_attention"]),
                by_department=[(str(name), Decimal(value)) for name, value in departments.items()],
            )
        except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError):
            return None


def key_figures(dbsession: Session, data_set_id: int) -> KeyFigures:
    """The data set's key figures, read now (every product: see the module's note)."""
    products = with_margin = 0
    margin_total = Decimal(0)
    for row in dbsession.execute(margin_rows(data_set_id)):
        products += row.products
        with_margin += row.with_margin
        margin_total += row.margin_total or 0
    average = round(Decimal(margin_total) / with_margin, 2) if with_margin else None
    by_department = [
        (row.department or NO_DEPARTMENT, Decimal(row.value_at_cost))
        for row in dbsession.execute(valuation_by_department(data_set_id))
    ]
    attention = attention_rows(data_set_id, list(attention_conditions())).order_by(None)
    needing = dbsession.scalar(select(func.count()).select_from(attention.subquery())) or 0
    return KeyFigures(
        products=products,
        value_at_cost=sum((value for _, value in by_department), Decimal(0)),
        average_margin=average,
        needing_attention=needing,
        by_department=by_department,
    )


def products_up_to(dbsession: Session, data_set_id: int, limit: int) -> int:
    """How many products the data set has, counting no further than ``limit + 1``:
    whether it is small enough to read its figures live, in a few milliseconds."""
    some = select(Product.id).where(Product.data_set_id == data_set_id).limit(limit + 1)
    return dbsession.scalar(select(func.count()).select_from(some.subquery())) or 0


@dataclass(frozen=True)
class KeptFigures:
    """The figures the latest job that worked them out kept, and when it finished."""

    figures: KeyFigures
    job: Job


def kept_figures(dbsession: Session, data_set_id: int, kind: str) -> KeptFigures | None:
    job = dbsession.scalar(
        select(Job)
        .where(Job.data_set_id == data_set_id, Job.kind == kind, Job.status == "succeeded")
        .order_by(Job.id.desc())
        .limit(1)
    )
    figures = KeyFigures.from_json(job.result) if job is not None else None
    return KeptFigures(figures, job) if figures is not None and job is not None else None


def products_changed_at(dbsession: Session, data_set_id: int) -> datetime | None:
    """When the data set's products last changed: an edit (which marks the products
    input changed) or a batch's apply, whichever came last."""
    edited = dbsession.scalar(
        select(InputChange.changed_at).where(
            InputChange.data_set_id == data_set_id, InputChange.name == PRODUCTS_INPUT
        )
    )
    applied = dbsession.scalar(
        select(func.max(Batch.executed_at)).where(Batch.data_set_id == data_set_id)
    )
    return max((when for when in (edited, applied) if when is not None), default=None)


@dataclass(frozen=True)
class FiguresState:
    """Where a data set's key figures come from: read live (at most ``live_limit``
    products), else the latest job's (``kept``), stale when the products changed after
    it finished; ``working``: a job of ``kind`` waiting or running."""

    live: bool
    kept: KeptFigures | None = None
    stale: bool = False
    working: Job | None = None

    @property
    def wanted(self) -> bool:
        """Whether a job should work the figures out: big, none waiting, and none kept
        or kept from before the products changed."""
        return not self.live and self.working is None and (self.kept is None or self.stale)


def figures_state(dbsession: Session, data_set_id: int, kind: str, live_limit: int) -> FiguresState:
    if products_up_to(dbsession, data_set_id, live_limit) <= live_limit:
        return FiguresState(live=True)
    kept = kept_figures(dbsession, data_set_id, kind)
    changed = products_changed_at(dbsession, data_set_id)
    finished = kept.job.finished_at if kept else None
    working = next(
        (job for job in unfinished_jobs(dbsession, data_set_id).jobs if job.kind == kind), None
    )
    stale = bool(finished and changed and changed > finished)
    return FiguresState(live=False, kept=kept, stale=stale, working=working)
