"""Benchmark: vendor catalog batches — populate, execute, and the review grid.

    .venv/bin/python bench/bench_catalog.py
    POSER_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/bench_catalog.py

A data set of BENCH_CATALOG_PRODUCTS products (default 200,000) and a catalog of as
many rows (costs moved by up to ±15%, some new items) for one vendor. Each phase runs
in a process of its own, so its peak RSS is its own: populate (read, compare, store
every row), execute (apply the changes), and beside them the floor — the same file
parsed with the csv module and bulk-inserted with SQLAlchemy Core in one transaction.
Then a catalog of BENCH_CATALOG_BIG rows (default 1,000,000) is populated (flat memory)
and the review grid over it is timed through the whole WSGI app: 50 rows filtered by
status and sorted by the cost change. One JSON line per measurement.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import random
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import aliased

from bench.support import PASSWORD, bench_database, log_in, percentile, prepare
from poser.models.engine import get_engine, get_session_factory, write_transaction
from poser.models.orm import Batch, CatalogBatchRow, DataSet, Product, ProductCost, Vendor
from poser.storage.settings import store_from_settings
from poser.tasks.batches import get_handler
from poser.utils.upc import check_digit

PRODUCTS = int(os.environ.get("BENCH_CATALOG_PRODUCTS", "200000"))
BIG = int(os.environ.get("BENCH_CATALOG_BIG", "1000000"))
GRID_REQUESTS = int(os.environ.get("BENCH_CATALOG_GRID_N", "30"))
HEADER = ["UPC", "Vendor Item #", "Description", "Brand", "Size", "Pack", "Case Cost"]


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


def _status_mb(field: str, path: str = "/proc/self/status") -> float:
    with open(path, encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def rss_mb() -> float:
    return _status_mb("VmRSS")


def peak_mb() -> float:
    # VmHWM, not getrusage's ru_maxrss: that one survives exec, so a spawned child
    # would report its parent's peak.
    return _status_mb("VmHWM")


class ChildPeaks:
    """The peak RSS of each process this one starts (populate's file reader), read from
    /proc while they run: a child's memory is not in this process's VmHWM."""

    def __init__(self) -> None:
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ChildPeaks:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.02):
            for children in Path(f"/proc/{me}/task").glob("*/children"):
                for pid in children.read_text().split():
                    try:
                        peak = _status_mb("VmHWM", f"/proc/{pid}/status")
                    except OSError:
                        continue  # it ended between the two reads
                    self.peaks[int(pid)] = max(peak, self.peaks.get(int(pid), 0.0))

    @property
    def total_mb(self) -> float:
        return sum(self.peaks.values())


def write_catalog(settings: dict[str, Any], data_set_id: int, path: Path, rows: int) -> str:
    """A catalog for the data set's busiest vendor: every product once (its cost moved
    a little), then new items with valid UPCs up to ``rows``. Returns the vendor code."""
    rng = random.Random(11)
    engine = get_engine(settings)
    try:
        with get_session_factory(engine)() as session:
            vendor = session.scalars(
                select(Vendor).where(Vendor.data_set_id == data_set_id)
            ).first()
            assert vendor is not None
            # Each product with this vendor's cost when it sells it, else the preferred one.
            theirs = aliased(ProductCost)
            preferred = aliased(ProductCost)
            products = session.execute(
                select(
                    Product.upc,
                    func.coalesce(theirs.vendor_item_code, ""),
                    func.coalesce(theirs.case_size, preferred.case_size),
                    func.coalesce(theirs.case_cost, preferred.case_cost),
                )
                .join(preferred, (preferred.product_id == Product.id) & preferred.preferred)
                .outerjoin(
                    theirs, (theirs.product_id == Product.id) & (theirs.vendor_id == vendor.id)
                )
                .where(Product.data_set_id == data_set_id)
                .order_by(Product.id)
            ).all()
            code = vendor.code
    finally:
        engine.dispose()
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        written = 0
        for upc, item_code, pack, case_cost in products[:rows]:
            # Most costs stay; the rest move by up to 15% either way.
            factor = 1 + rng.uniform(-0.15, 0.15) if rng.random() < 0.3 else 1
            moved = Decimal(str(case_cost)) * Decimal(factor)
            writer.writerow([upc, item_code, "Item", "Brand", "1 ea", pack, f"{moved:.2f}"])
            written += 1
        number = 0
        while written < rows:
            body = f"9{number:010d}"
            number += 1
            writer.writerow([body + str(check_digit(body)), f"N{number}", "New item", "Brand",
                             "1 ea", 12, f"{rng.uniform(5, 60):.2f}"])  # fmt: skip
            written += 1
    return code


def _make_batch(settings: dict[str, Any], data_set_id: int, path: Path, vendor: str) -> int:
    files = store_from_settings(settings)
    key = f"uploads/bench/{path.name}"
    with path.open("rb") as stream:
        files.write(key, stream)
    engine = get_engine(settings)
    try:
        with write_transaction(get_session_factory(engine)) as session:
            data_set = session.get_one(DataSet, data_set_id)
            vendor_id = session.scalar(
                select(Vendor.id).where(Vendor.data_set_id == data_set_id, Vendor.code == vendor)
            )
            batch = get_handler("catalog").make(
                data_set, files, parameters={"vendor_id": vendor_id, "new_items": "add"}
            )
            batch.input_key, batch.input_filename = key, path.name
            return batch.id
    finally:
        engine.dispose()


def phase_populate(settings: dict[str, Any], batch_id: int) -> dict[str, Any]:
    engine = get_engine(settings)
    files = store_from_settings(settings)
    before = rss_mb()
    started = time.perf_counter()
    with ChildPeaks() as children, write_transaction(get_session_factory(engine)) as session:
        batch = session.get_one(Batch, batch_id)
        counts = get_handler("catalog").populate(batch, files)
        get_handler("catalog").acknowledge(batch, None)
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "rows": sum(counts.values()), "statuses": counts,
            "rss_before_mb": before, "peak_rss_mb": peak_mb(),
            "reader_peak_rss_mb": children.total_mb}  # fmt: skip


def phase_execute(settings: dict[str, Any], batch_id: int) -> dict[str, Any]:
    engine = get_engine(settings)
    before = rss_mb()
    started = time.perf_counter()
    with write_transaction(get_session_factory(engine)) as session:
        batch = session.get_one(Batch, batch_id)
        summary = get_handler("catalog").execute(batch, None)
        rows = batch.row_count
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "rows": rows, "summary": summary, "rss_before_mb": before,
            "peak_rss_mb": peak_mb()}  # fmt: skip


def phase_floor(settings: dict[str, Any], batch_id: int, path: Path) -> dict[str, Any]:
    """csv.reader and a Core executemany INSERT of the same rows, one transaction."""
    engine = get_engine(settings)
    table = CatalogBatchRow.__table__
    before = rss_mb()
    started = time.perf_counter()
    with engine.begin() as connection:
        data_set_id = connection.scalar(select(Batch.data_set_id).where(Batch.id == batch_id))
        chunk: list[dict[str, Any]] = []
        rows = 0
        with path.open(newline="", encoding="utf-8") as source:
            reader = csv.reader(source)
            next(reader)
            for line, (upc, code, description, brand, size, pack, case_cost) in enumerate(
                reader, 2
            ):
                chunk.append({"batch_id": batch_id, "data_set_id": data_set_id, "line": line,
                              "upc_text": upc, "upc": upc.zfill(14), "vendor_item_code": code,
                              "description": description, "brand": brand, "size": size,
                              "department": "", "case_size": int(pack),
                              "case_cost": float(case_cost), "message": ""})  # fmt: skip
                if len(chunk) == 5000:
                    connection.execute(insert(table), chunk)
                    rows += len(chunk)
                    chunk = []
            if chunk:
                connection.execute(insert(table), chunk)
                rows += len(chunk)
    seconds = time.perf_counter() - started
    with engine.begin() as connection:
        connection.execute(delete(table).where(table.c.batch_id == batch_id))
    engine.dispose()
    return {"seconds": seconds, "rows": rows, "rss_before_mb": before, "peak_rss_mb": peak_mb()}


def in_child(function: Any, *args: Any) -> dict[str, Any]:
    """Run a phase in a fresh process: its peak RSS is the phase's alone."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(function, args)


def grid_p95(settings: dict[str, Any], data_set_id: int) -> list[dict[str, Any]]:
    import webtest

    import poser

    app_settings = {**settings, "poser.environment": "development", "session.type": "file"}
    wsgi = poser.main({"here": settings["poser.appdir"]}, **app_settings)
    try:
        app = webtest.TestApp(wsgi, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
        log_in(app)
        url = f"/apps/catalog/data-sets/{data_set_id}/steps/review/rows/rows"
        scenarios = {
            "status new_item, sort by change": {
                "rows.status.in": "new_item",
                "rows.sort": "-cost_change",
            },
            "status cost_up, sort by change": {
                "rows.status.in": "cost_up",
                "rows.sort": "-cost_change",
            },
            "sort by change": {"rows.sort": "-cost_change"},
        }
        results = []
        for name, query in scenarios.items():
            times = []
            for number in range(3 + GRID_REQUESTS):
                started = time.perf_counter()
                app.get(url, query, headers={"HX-Request": "true"}, status=200)
                if number >= 3:
                    times.append(time.perf_counter() - started)
            results.append({"scenario": name, "p50_ms": round(percentile(times, 0.5) * 1000, 1),
                            "p95_ms": round(percentile(times, 0.95) * 1000, 1)})  # fmt: skip
        return results
    finally:
        wsgi.registry["poser.engine"].dispose()


def rate(result: dict[str, Any]) -> float:
    return result["rows"] / result["seconds"]


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch, bench_database(Path(scratch)) as settings:
        kind = "postgresql" if settings["sqlalchemy.url"].startswith("postgresql") else "sqlite"
        data_set_id = prepare(settings, PRODUCTS, PASSWORD)
        path = Path(scratch) / "catalog.csv"
        vendor = write_catalog(settings, data_set_id, path, PRODUCTS)
        base = {"bench": "catalog", "database": kind, "products": PRODUCTS}

        batch_id = _make_batch(settings, data_set_id, path, vendor)
        floor = in_child(phase_floor, settings, batch_id, path)
        populate = in_child(phase_populate, settings, batch_id)
        emit({**base, "phase": "populate", "rows": populate["rows"],
              "rows_per_s": round(rate(populate)), "floor_rows_per_s": round(rate(floor)),
              "ratio_to_floor": round(rate(populate) / rate(floor), 2),
              # The file reader's whole footprint counts: it is a process of its own.
              "memory_growth_mb": round(populate["peak_rss_mb"] - populate["rss_before_mb"]
                                        + populate["reader_peak_rss_mb"], 1),
              "reader_process_peak_mb": round(populate["reader_peak_rss_mb"], 1),
              "floor_memory_growth_mb": round(floor["peak_rss_mb"] - floor["rss_before_mb"], 1),
              "statuses": populate["statuses"]})  # fmt: skip
        execute = in_child(phase_execute, settings, batch_id)
        emit({**base, "phase": "execute", "rows": execute["rows"],
              "rows_per_s": round(rate(execute)), "floor_rows_per_s": round(rate(floor)),
              "ratio_to_floor": round(rate(execute) / rate(floor), 2),
              "memory_growth_mb": round(execute["peak_rss_mb"] - execute["rss_before_mb"], 1),
              "summary": execute["summary"]})  # fmt: skip

        if BIG:
            big = Path(scratch) / "catalog-big.csv"
            write_catalog(settings, data_set_id, big, BIG)
            big_id = _make_batch(settings, data_set_id, big, vendor)
            big_floor = in_child(phase_floor, settings, big_id, big)
            result = in_child(phase_populate, settings, big_id)
            emit({**base, "phase": "populate_big", "rows": result["rows"],
                  "rows_per_s": round(rate(result)), "floor_rows_per_s": round(rate(big_floor)),
                  "ratio_to_floor": round(rate(result) / rate(big_floor), 2),
                  "rss_before_mb": round(result["rss_before_mb"], 1),
                  "peak_rss_mb": round(result["peak_rss_mb"], 1),
                  "reader_process_peak_mb": round(result["reader_peak_rss_mb"], 1),
                  "floor_peak_rss_mb": round(big_floor["peak_rss_mb"], 1)})  # fmt: skip
            for record in grid_p95(settings, data_set_id):
                emit({**base, "phase": "review_grid", "batch_rows": result["rows"],
                      "requests": GRID_REQUESTS, **record})  # fmt: skip


if __name__ == "__main__":
    main()
