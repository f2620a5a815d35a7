"""The dashboard's key figures of a big data set, worked out by a job.

Over a million products the figures take seconds to read (every product, through the
reports' queries), far past a page's 100 ms: the dashboard reads such a data set's
figures from the result of the latest job of this kind, says when they were worked
out and whether the products changed since, and offers to work them out again. A data
set of at most `LIVE_PRODUCTS` products has them read live on the page.
"""

from __future__ import annotations

from typing import Any

from poser.models.data_extraction.dashboard import key_figures
from poser.models.orm import DataSet
from poser.tasks.job_kinds import job_kind
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
