"""Benchmark: a data set's dashboard (its home page) on a data set of a million
generated products, and its key figures read live and by their job.

    .venv/bin/python bench/bench_dashboard.py
    POSER_BENCH_DATABASE_URL=postgresql://user@host/postgres \
        .venv/bin/python bench/bench_dashboard.py

The data set is BENCH_DASHBOARD_PRODUCTS generated products (default 1,000,000), a
cost change logged for every fifth (as bench_reports.py's), and what the dashboard
lists: batches waiting, jobs running and failed, exports, report runs. The generated
database is kept between runs (`bench.support.cached_database`).

JSON lines, per database: ``figures_live`` (the key figures read through the reports'
queries, as a small data set's page reads them: why a big one's are a job's),
``figures_job`` (the job that works them out and keeps them), then ``dashboard``: the
page through the whole WSGI app in-process (session, security, queries, rendering),
p50/p95/max over BENCH_DASHBOARD_N requests (default 30) after 3 warm-up requests,
with this process's CPU time beside it (``cpu_``), reading the kept figures.
BENCH_DASHBOARD_DB=sqlite (or postgresql) runs that database alone.
"""

from __future__ import annotations

import gc
import json
import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import webtest
from alembic import command
from sqlalchemy import insert, literal, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import poser
from bench.support import PASSWORD, cached_database, log_in, percentile, settle
from poser.models.data_extraction.dashboard import key_figures
from poser.models.db_management import alembic_config
from poser.models.engine import get_engine, get_session_factory, write_transaction
from poser.models.orm import Batch, DataSet, Export, Job, Product, ProductChange
from poser.tasks.dashboard import work_out_figures
from poser.tasks.datasets import create_data_set
from poser.tasks.generate import generate_products
from poser.tasks.job_kinds import kind_of
from poser.tasks.users import create_user
from poser.utils.appdir import make_appdir
from poser.utils.timeutil import utcnow

PRODUCTS = int(os.environ.get("BENCH_DASHBOARD_PRODUCTS", "1000000"))
REQUESTS = int(os.environ.get("BENCH_DASHBOARD_N", "30"))
WARM_UP = 3
LIVE_RUNS = 3
DAY = date(2026, 3, 2)


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def _lists(session: Any, data_set: DataSet, user_id: int) -> None:
    """What the dashboard lists: two catalogs ready, a count being read, two jobs
    running, three failed today, three exports and a report run."""
    now = utcnow()
    mine = {"data_set_id": data_set.id}
    for batch_type, status in (("catalog", "populated"), ("catalog", "populated"),
                               ("inventory", "new")):  # fmt: skip
        session.add(Batch(**mine, batch_type=batch_type, status=status, description="bench.csv",
                          row_count=20_000, created_by_id=user_id))  # fmt: skip
    for status in ("running", "queued", "failed", "failed", "failed"):
        session.add(Job(**mine, kind="datasets.export", user_id=user_id, status=status,
                        created_at=now - timedelta(hours=1)))  # fmt: skip
    for number in range(3):
        title = f"Bench {number}"
        session.add(Export(**mine, export_type="workbook", title=title, files=["bench.xlsx"],
                           row_count=PRODUCTS, created_by_id=user_id))  # fmt: skip
    session.flush()
    export = Export(**mine, export_type="inventory_valuation", title="Inventory valuation",
                    files=["inventory-valuation.csv"], row_count=16)  # fmt: skip
    session.add(export)
    session.flush()
    session.add(Job(**mine, kind="report.inventory_valuation", user_id=user_id,
                    status="succeeded", result={"rows": 16, "export_id": export.id}))  # fmt: skip


def prepare(url: str) -> int:
    """Migrate; a user "bench" owning the data set "Bench" of PRODUCTS products, its cost
    changes and lists; its id."""
    command.upgrade(alembic_config({"sqlalchemy.url": url}), "head")
    engine = get_engine({"sqlalchemy.url": url})
    try:
        started = time.perf_counter()
        with write_transaction(get_session_factory(engine)) as session:
            user = create_user(session, "bench", PASSWORD, role="operator")
            data_set = create_data_set(session, "Bench", "products", user)
            generate_products(data_set, products=PRODUCTS, seed=1)
            every_fifth = select(
                Product.data_set_id, Product.id,
                literal(datetime.combine(DAY, datetime.min.time(), UTC)), literal("cost"),
                Product.preferred_vendor_id, Product.preferred_unit_cost,
                Product.preferred_unit_cost * 1.05, literal("batch"),
            ).where(
                Product.data_set_id == data_set.id,
                Product.preferred_unit_cost.is_not(None),
                Product.id % 5 == 0,
            )  # fmt: skip
            columns = ["data_set_id", "product_id", "changed_at", "field", "vendor_id",
                       "old_unit_cost", "new_unit_cost", "source"]  # fmt: skip
            session.execute(insert(ProductChange).from_select(columns, every_fifth))
            _lists(session, data_set, user.id)
            data_set_id = data_set.id
        settle(engine)
        emit({"bench": "dashboard_setup", "database": engine.dialect.name, "products": PRODUCTS,
              "generate_s": round(time.perf_counter() - started, 1)})  # fmt: skip
        return data_set_id
    finally:
        engine.dispose()


def figures(kind: str, url: str, data_set_id: int) -> None:
    """The figures read live (LIVE_RUNS times), then by their job, whose result is
    kept as a worker keeps it."""
    engine = get_engine({"sqlalchemy.url": url})
    try:
        times = []
        for _ in range(LIVE_RUNS):
            with get_session_factory(engine)() as session:
                started = time.perf_counter()
                found = key_figures(session, data_set_id)
                times.append(time.perf_counter() - started)
        emit({"bench": "figures_live", "database": kind, "products": PRODUCTS, "runs": LIVE_RUNS,
              "min_ms": round(min(times) * 1000), "max_ms": round(max(times) * 1000),
              "needing_attention": found.needing_attention})  # fmt: skip
        with write_transaction(get_session_factory(engine)) as session:
            data_set = session.get_one(DataSet, data_set_id)
            started = time.perf_counter()
            result = work_out_figures(data_set)
            seconds = time.perf_counter() - started
            now = utcnow()
            kept = Job(kind=kind_of(work_out_figures).name, data_set_id=data_set_id, result=result,
                       status="succeeded", started_at=now, finished_at=now)  # fmt: skip
            session.add(kept)
        emit({"bench": "figures_job", "database": kind, "products": PRODUCTS,
              "seconds": round(seconds, 2)})  # fmt: skip
    finally:
        engine.dispose()


def bench(kind: str) -> None:
    name = f"dashboard-{PRODUCTS}"
    with (
        tempfile.TemporaryDirectory() as scratch,
        cached_database(kind, Path(scratch), name, prepare) as (url, data_set_id),
    ):
        figures(kind, url, data_set_id)
        appdir = Path(scratch) / "app"
        make_appdir(appdir)
        settings = {
            "poser.environment": "development",
            "poser.appdir": str(appdir),
            "sqlalchemy.url": url,
            "session.secret": secrets.token_hex(32),
            "session.type": "file",
            "session.key": "poser_session",
            "poser.queue.name": f"poser-bench-{os.getpid()}",
            "poser.gc_freeze": "true",  # as the ini files serve
        }
        wsgi = poser.main({"here": str(appdir)}, **settings)
        try:
            app = webtest.TestApp(wsgi, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
            log_in(app)
            page = f"/apps/products/data-sets/{data_set_id}"
            times, cpu = [], []
            for number in range(WARM_UP + REQUESTS):
                started, started_cpu = time.perf_counter(), time.process_time()
                response = app.get(page, status=200)
                if number >= WARM_UP:
                    times.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - started_cpu)
            assert 'data-testid="figure-products"' in response.text, "no figures on the page"
            emit(
                {
                    "bench": "dashboard",
                    "database": kind,
                    "products": PRODUCTS,
                    "requests": REQUESTS,
                    "p50_ms": round(percentile(times, 0.50) * 1000, 1),
                    "p95_ms": round(percentile(times, 0.95) * 1000, 1),
                    "max_ms": round(max(times) * 1000, 1),
                    "cpu_p50_ms": round(percentile(cpu, 0.50) * 1000, 1),
                    "cpu_p95_ms": round(percentile(cpu, 0.95) * 1000, 1),
                }
            )
        finally:
            wsgi.registry["poser.engine"].dispose()
            gc.unfreeze()


def main() -> None:
    only = os.environ.get("BENCH_DASHBOARD_DB", "")
    if only != "postgresql":
        bench("sqlite")
    if only != "sqlite" and os.environ.get("POSER_BENCH_DATABASE_URL"):
        bench("postgresql")


if __name__ == "__main__":
    main()
