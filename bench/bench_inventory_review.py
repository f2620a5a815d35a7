"""Benchmark: an inventory count's review grid (the fragment htmx fetches on every page,
sort and filter) and the whole Review page, over a count of 200,000 lines.

    .venv/bin/python bench/bench_inventory_review.py
    POSER_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/bench_inventory_review.py

The data set and the count are bench_inventory.py's (BENCH_INVENTORY_PRODUCTS products,
BENCH_INVENTORY_LINES lines in four scanner files), read with a recount threshold so
that some rows are flagged. Each request goes through the whole WSGI app in-process
(session, security, the grid's count and page queries, rendering). One JSON line per
scenario: p50/p95/max over BENCH_REVIEW_N requests (default 30) after 3 warm-up
requests, and beside it the floor: the same page's rows read by the grid's query alone
(the review rows, sorted and filtered as the scenario, 50 of them) through SQLAlchemy
Core, with no app around it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import sys
import tempfile
import time
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import webtest
from sqlalchemy import func, select

import poser
from bench.bench_inventory import LINES, PRODUCTS, write_files
from bench.support import PASSWORD, bench_database, log_in, percentile, prepare
from poser.models.data_extraction.inventory_rows import review_rows
from poser.models.engine import get_engine, get_session_factory, write_transaction
from poser.models.orm import Batch, DataSet, Department, InventoryBatchRow, Upload
from poser.storage.settings import store_from_settings
from poser.tasks.batches import get_handler
from poser.tasks.batches.inventory.counting import add_file, make_count

REQUESTS = int(os.environ.get("BENCH_REVIEW_N", "30"))
WARM_UP = 3
R = InventoryBatchRow
#: Name: (the grid's query parameters, the floor's order and filter).
SCENARIOS: dict[str, tuple[dict[str, str], Any]] = {
    "first page": ({}, lambda q: q.order_by(R.id)),
    "by variance at cost": (
        {"rows.sort": "variance_cost"},
        lambda q: q.order_by(R.variance_cost, R.id),
    ),
    "largest gain first": (
        {"rows.sort": "-variance_cost"},
        lambda q: q.order_by(R.variance_cost.desc(), R.id.desc()),
    ),
    "on-hand down, by value": (
        {"rows.status.in": "decrease", "rows.sort": "variance_cost"},
        lambda q: q.where(R.status == "decrease").order_by(R.variance_cost, R.id),
    ),
    "flagged": ({"rows.flagged.is": "yes"}, lambda q: q.where(R.flagged).order_by(R.id)),
    "one department": (
        {"rows.department_id.in": "{department}"},
        lambda q: q.where(R.department_id == DEPARTMENT[0]).order_by(R.id),
    ),
}
DEPARTMENT: list[int] = []


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def read_count(settings: dict[str, Any], data_set_id: int, paths: list[Path]) -> int:
    """The count of ``paths``, read (populate) with a recount threshold of 20 units."""
    files = store_from_settings(settings)
    engine = get_engine(settings)
    try:
        with write_transaction(get_session_factory(engine)) as session:
            data_set = session.get_one(DataSet, data_set_id)
            options = {"mode": "replace", "threshold_units": "20"}
            batch = make_count(data_set, files, options, None)
            for path in paths:
                data = path.read_bytes()
                key = f"uploads/bench/{path.name}"
                files.write(key, data)
                digest = hashlib.sha256(data).hexdigest()
                upload = Upload(data_set_id=data_set_id, key=key, filename=path.name,
                                size=len(data), sha256=digest, content_type="text/csv")  # fmt: skip
                session.add(upload)
                session.flush()
                add_file(batch, files, upload)
            get_handler("inventory").populate(batch, files)
            return batch.id
    finally:
        engine.dispose()


def timed(call: Any) -> tuple[float, float, float]:
    times = []
    for number in range(WARM_UP + REQUESTS):
        started = time.perf_counter()
        call()
        if number >= WARM_UP:
            times.append(time.perf_counter() - started)
    return percentile(times, 0.50), percentile(times, 0.95), max(times)


def bench() -> None:
    with tempfile.TemporaryDirectory() as scratch, bench_database(Path(scratch)) as settings:
        kind = "postgresql" if settings["sqlalchemy.url"].startswith("postgresql") else "sqlite"
        started = time.perf_counter()
        data_set_id = prepare(settings, PRODUCTS, PASSWORD)
        batch_id = read_count(
            settings, data_set_id, write_files(settings, data_set_id, Path(scratch))
        )
        engine = get_engine(settings)
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
            DEPARTMENT[:] = [connection.scalar(
                select(Department.id).where(Department.data_set_id == data_set_id)
                .order_by(Department.number)
            )]  # fmt: skip
            rows = connection.scalar(select(Batch.row_count).where(Batch.id == batch_id))
            flagged = connection.scalar(
                select(func.count()).where(R.batch_id == batch_id, R.flagged)
            )
        emit({"bench": "inventory_review_setup", "database": kind, "products": PRODUCTS,
              "lines": LINES, "rows": rows, "flagged": flagged,
              "setup_s": round(time.perf_counter() - started, 1)})  # fmt: skip
        installed = {point.name for point in entry_points(group="poser.applications")}
        includes = "" if "inventory" in installed else "poser.apps.inventory"
        served = {
            key: settings[key] for key in ("poser.appdir", "sqlalchemy.url", "poser.queue.name")
        }
        served |= {"session.secret": secrets.token_hex(32), "session.type": "file",
                   "session.key": "poser_session", "poser.includes": includes,
                   "poser.gc_freeze": "true"}  # fmt: skip
        wsgi = poser.main({"here": settings["poser.appdir"]}, **served)
        try:
            app = webtest.TestApp(wsgi, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
            log_in(app)
            step = f"/apps/inventory/data-sets/{data_set_id}/steps/review"
            for name, (params, floor) in SCENARIOS.items():
                query = {
                    key: value.format(department=DEPARTMENT[0]) for key, value in params.items()
                }
                shown = ""

                def grid(query: dict[str, str] = query) -> None:
                    nonlocal shown
                    response = app.get(f"{step}/rows/rows", query, headers={"HX-Request": "true"})
                    found = re.search(r'data-testid="grid-summary">([^<]*)<', response.text)
                    shown = found.group(1) if found else ""

                def plain(floor: Any = floor) -> None:
                    with engine.connect() as connection:
                        connection.execute(floor(review_rows(batch_id)).limit(50)).all()

                p50, p95, most = timed(grid)
                floor_p50, floor_p95, _ = timed(plain)
                emit({"bench": "inventory_review_grid", "database": kind, "lines": LINES,
                      "scenario": name, "query": query, "shown": shown, "requests": REQUESTS,
                      "p50_ms": round(p50 * 1000, 1), "p95_ms": round(p95 * 1000, 1),
                      "max_ms": round(most * 1000, 1), "floor_p50_ms": round(floor_p50 * 1000, 1),
                      "floor_p95_ms": round(floor_p95 * 1000, 1)})  # fmt: skip
            p50, p95, most = timed(lambda: app.get(step))
            emit({"bench": "inventory_review_page", "database": kind, "lines": LINES,
                  "requests": REQUESTS, "p50_ms": round(p50 * 1000, 1),
                  "p95_ms": round(p95 * 1000, 1), "max_ms": round(most * 1000, 1)})  # fmt: skip
        finally:
            wsgi.registry["poser.engine"].dispose()
            engine.dispose()


if __name__ == "__main__":
    bench()
