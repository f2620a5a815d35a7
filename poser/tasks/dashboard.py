"""The dashboard's key figures of a big data set, worked out by a job.

Over a million products the figures take seconds to read (every product, through the
reports' queries), far past a page's 100 ms: the dashboard reads such a data set's
figures from the result of the latest job of this kind, says when they were worked
out and whether the products changed since, and offers to work them out again. A data
set of at most `LIVE_PRODUCTS` products has them read live on the page. Every hour the
scheduler works out again the figures of each big data set whose products changed
since its figures were (`refresh_figures`), so the page's are at most an hour behind.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.data_extraction.dashboard import figures_state, key_figures
from poser.models.orm import DataSet
from poser.tasks import jobs
from poser.tasks.job_kinds import job_kind, kind_of
from poser.tasks.jobs import JobQueue
from poser.tasks.products_data import KIND as PRODUCTS_KIND
from poser.tasks.sessions import session_of
from poser.utils.progress import NullProgress, Progress

#: The most products whose figures the page reads live, within its 100 ms: at 20,000
#: the page answers in 66 ms at p95 on SQLite, 64 on PostgreSQL; at a million, reading
#: them takes 3.0 s and 0.6 s, and the page with the job's figures 15 and 31 ms
#: (bench/bench_dashboard.py). Past it, a job works them out.
LIVE_PRODUCTS = 20_000


@job_kind(
    "dashboard.figures",
    "Work out the dashboard's figures",
    permission="view",
    idempotent=True,
)
def work_out_figures(data_set: DataSet, *, progress: Progress | None = None) -> dict[str, Any]:
    """The key figures of ``data_set``, as its dashboard reads them from the result."""
    progress = progress or NullProgress()
    progress.log("Reading every product of the data set")
    figures = key_figures(session_of(data_set), data_set.id)
    return figures.to_json()


@job_kind(
    "dashboard.refresh_figures",
    "Work out again the figures of big data sets that changed",
    scope="global",
    idempotent=True,  # a data set whose figures are being worked out is left alone
    uses=("queue",),
)
def refresh_figures(
    dbsession: Session, *, queue: JobQueue, progress: Progress | None = None
) -> dict[str, Any]:
    """Queue `work_out_figures` for each Products data set past `LIVE_PRODUCTS` whose
    figures were never worked out, or were before its products last changed, unless
    such a job is waiting or running."""
    progress = progress or NullProgress()
    kind = kind_of(work_out_figures).name
    queued = 0
    for data_set in dbsession.scalars(
        select(DataSet).where(DataSet.application == PRODUCTS_KIND).order_by(DataSet.id)
    ):
        if not figures_state(dbsession, data_set.id, kind, LIVE_PRODUCTS).wanted:
            continue
        job = jobs.submit(dbsession, queue, work_out_figures, data_set=data_set)
        queued += 1
        progress.log(f"The figures of {data_set.name}: queued as job {job.id}")
    return {"figures_queued": queued}
