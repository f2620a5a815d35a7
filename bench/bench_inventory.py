"""Benchmark: inventory count batches — populate and apply.

    .venv/bin/python bench/bench_inventory.py
    POSER_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/bench_inventory.py

A data set of BENCH_INVENTORY_PRODUCTS products (default 200,000) and a count of
BENCH_INVENTORY_LINES lines (default 200,000) in four scanner files, in the shapes
scanners write (``UPC,qty`` with a header, ``UPC qty``, ``UPC;qty;aisle``, ``UPC``
alone), most products once and some on several lines. Each phase runs in a process of
its own, so its peak RSS is its own: populate (read, merge and compare every line),
execute (set on-hand, logged), and beside them the floor — the same files parsed with
the csv module and bulk-inserted with SQLAlchemy Core in one transaction. One JSON line
per measurement, with lines/s, the floor's and the ratio to it; then populate's memory
growth at a quarter of the lines beside the full count's (``populate_memory``: flat in
the lines, it is the database's page cache and memory map), and the review grid
(``review_grid``: ``grid_page`` over the review's rows query and columns, filtered by
status and sorted by the variance at cost, page 1, the next, page 100 and the last;
p50/p95/max over BENCH_INVENTORY_GRID_N reads, default 30).
"""

from __future__ import annotations

import csv
import hashlib
import json
import multiprocessing
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from sqlalchemy import delete, insert, select

from bench.support import PASSWORD, bench_database, percentile, prepare
from poser.models.engine import get_engine, get_session_factory, write_transaction
from poser.models.orm import Batch, DataSet, InventoryBatchRow, Product, Upload
from poser.storage.settings import store_from_settings
from poser.tasks.batches import get_handler
from poser.tasks.batches.inventory.counting import add_file, make_count

PRODUCTS = int(os.environ.get("BENCH_INVENTORY_PRODUCTS", "200000"))
LINES = int(os.environ.get("BENCH_INVENTORY_LINES", "200000"))
#: The second, smaller count whose populate's memory is set beside the full one's.
SMALL_LINES = LINES // 4
GRID_REQUESTS = int(os.environ.get("BENCH_INVENTORY_GRID_N", "30"))
FILES = 4
SHAPES = ("header", "space", "semicolon", "scan")


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def write_files(
    settings: dict[str, Any], data_set_id: int, folder: Path, lines: int = LINES
) -> list[Path]:
    """Four files of ``lines`` lines in all: each product counted once, in order of a
    shuffle, until the lines run out; past the products, lines count products again."""
    rng = random.Random(7)
    engine = get_engine(settings)
    try:
        with get_session_factory(engine)() as session:
            upcs = list(
                session.scalars(select(Product.upc).where(Product.data_set_id == data_set_id))
            )
    finally:
        engine.dispose()
    rng.shuffle(upcs)
    paths = []
    per_file = -(-lines // FILES)
    folder.mkdir(parents=True, exist_ok=True)
    for number, shape in enumerate(SHAPES):
        path = folder / f"scanner{number + 1}.{'csv' if shape != 'space' else 'txt'}"
        start = number * per_file
        with path.open("w", newline="", encoding="utf-8") as out:
            if shape == "header":
                out.write("UPC,Qty\n")
            for index in range(start, min(start + per_file, lines)):
                upc = upcs[index % len(upcs)].lstrip("0").zfill(12)
                quantity = rng.randint(0, 40)
                if shape == "header":
                    out.write(f"{upc},{quantity}\n")
                elif shape == "space":
                    out.write(f"{upc} {quantity}\n")
                elif shape == "semicolon":
                    out.write(f"{upc};{quantity};A{index % 30}\n")
                else:
                    out.write(f"{upc}\n")
        paths.append(path)
    return paths


def make_batch(settings: dict[str, Any], data_set_id: int, paths: list[Path]) -> int:
    files = store_from_settings(settings)
    engine = get_engine(settings)
    try:
        with write_transaction(get_session_factory(engine)) as session:
            data_set = session.get_one(DataSet, data_set_id)
            batch = make_count(data_set, files, {"mode": "replace"}, None)
            for path in paths:
                data = path.read_bytes()
                key = f"uploads/bench/{path.parent.name}/{path.name}"
                files.write(key, data)
                upload = Upload(
                    data_set_id=data_set_id,
                    key=key,
                    filename=path.name,
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    content_type="text/csv",
                )
                session.add(upload)
                session.flush()
                add_file(batch, files, upload)
            return batch.id
    finally:
        engine.dispose()


def phase_populate(settings: dict[str, Any], batch_id: int) -> dict[str, Any]:
    engine = get_engine(settings)
    files = store_from_settings(settings)
    handler = get_handler("inventory")  # the task modules load before the clock starts
    before = _status_mb("VmRSS")
    started = time.perf_counter()
    with write_transaction(get_session_factory(engine)) as session:
        batch = session.get_one(Batch, batch_id)
        counts = handler.populate(batch, files)
        handler.acknowledge(batch, None)
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "rows": sum(counts.values()), "statuses": counts,
            "rss_before_mb": before, "peak_rss_mb": _status_mb("VmHWM")}  # fmt: skip


def phase_execute(settings: dict[str, Any], batch_id: int) -> dict[str, Any]:
    engine = get_engine(settings)
    handler = get_handler("inventory")
    before = _status_mb("VmRSS")
    started = time.perf_counter()
    with write_transaction(get_session_factory(engine)) as session:
        batch = session.get_one(Batch, batch_id)
        summary = handler.execute(batch, None)
        rows = batch.row_count
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "rows": rows, "summary": summary, "rss_before_mb": before,
            "peak_rss_mb": _status_mb("VmHWM")}  # fmt: skip


def phase_floor(settings: dict[str, Any], batch_id: int, paths: list[Path]) -> dict[str, Any]:
    """csv.reader and a Core executemany INSERT of the same lines, one transaction."""
    engine = get_engine(settings)
    table = InventoryBatchRow.__table__
    before = _status_mb("VmRSS")
    started = time.perf_counter()
    rows = 0
    with engine.begin() as connection:
        data_set_id = connection.scalar(select(Batch.data_set_id).where(Batch.id == batch_id))
        chunk: list[dict[str, Any]] = []
        for path in paths:
            with path.open(newline="", encoding="utf-8") as source:
                delimiter = ";" if "3" in path.name else ","
                for line, fields in enumerate(csv.reader(source, delimiter=delimiter), 1):
                    fields = fields[0].split() if len(fields) == 1 else fields
                    if not fields[0].isdigit():
                        continue  # the header
                    quantity = fields[1] if len(fields) > 1 else "1"
                    chunk.append({"batch_id": batch_id, "data_set_id": data_set_id,
                                  "line": line, "file_name": path.name, "upc_text": fields[0],
                                  "upc": fields[0].zfill(14), "section": "", "unit": "units",
                                  "quantity": int(quantity), "quantity_units": int(quantity),
                                  "message": ""})  # fmt: skip
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
    return {"seconds": seconds, "rows": rows, "rss_before_mb": before,
            "peak_rss_mb": _status_mb("VmHWM")}  # fmt: skip


def phase_grid(settings: dict[str, Any], batch_id: int) -> list[dict[str, Any]]:
    """The review grid's page (``grid_page`` over the review's rows query and columns),
    timed per scenario: p50, p95 and max over GRID_REQUESTS reads after 3 warm-ups."""
    from poser.apps.inventory.review import review_columns
    from poser.apps.widgets.grid_text import parse_grid_state
    from poser.models.data_extraction.grid import grid_page
    from poser.models.data_extraction.inventory_rows import review_rows

    engine = get_engine(settings)
    results = []
    with get_session_factory(engine)() as session:
        data_set_id = session.scalar(select(Batch.data_set_id).where(Batch.id == batch_id))
        ctx = SimpleNamespace(dbsession=session, data_set=SimpleNamespace(id=data_set_id))
        columns = review_columns(ctx)  # type: ignore[arg-type]
        query = review_rows(batch_id)
        shown = {"sort": "variance_cost", "status.in": "decrease"}
        first = grid_page(session, query, columns, parse_grid_state(shown, columns), "id")
        states = {
            "decrease by variance at cost, page 1": parse_grid_state(shown, columns),
            "the same, next page (keyset)": first.link("next"),
            "the same, page 100 (by number)": parse_grid_state({**shown, "page": "100"}, columns),
            "the same, last page": parse_grid_state({**shown, "page": "last"}, columns),
            "largest loss first, all statuses": parse_grid_state(
                {"sort": "variance_cost"}, columns
            ),
        }
        for name, state in states.items():
            times = []
            for number in range(3 + GRID_REQUESTS):
                started = time.perf_counter()
                page = grid_page(session, query, columns, state, "id")
                if number >= 3:
                    times.append(time.perf_counter() - started)
            results.append({"scenario": name, "total": page.total, "shown": len(page.rows),
                            "p50_ms": round(percentile(times, 0.5) * 1000, 1),
                            "p95_ms": round(percentile(times, 0.95) * 1000, 1),
                            "max_ms": round(max(times) * 1000, 1)})  # fmt: skip
    engine.dispose()
    return results


def in_child(function: Any, *args: Any) -> dict[str, Any]:
    """Run a phase in a fresh process: its peak RSS is the phase's alone."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(function, args)


def rate(result: dict[str, Any]) -> float:
    return result["rows"] / result["seconds"]


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch, bench_database(Path(scratch)) as settings:
        kind = "postgresql" if settings["sqlalchemy.url"].startswith("postgresql") else "sqlite"
        data_set_id = prepare(settings, PRODUCTS, PASSWORD)
        paths = write_files(settings, data_set_id, Path(scratch) / "count")
        batch_id = make_batch(settings, data_set_id, paths)
        small = write_files(settings, data_set_id, Path(scratch) / "small", SMALL_LINES)
        small_id = make_batch(settings, data_set_id, small)
        base = {"bench": "inventory", "database": kind, "products": PRODUCTS, "lines": LINES}
        floor = in_child(phase_floor, settings, batch_id, paths)
        populate = in_child(phase_populate, settings, batch_id)
        emit({**base, "phase": "populate", "rows": populate["rows"],
              "lines_per_s": round(LINES / populate["seconds"]),
              "floor_lines_per_s": round(rate(floor)),
              "ratio_to_floor": round(LINES / populate["seconds"] / rate(floor), 2),
              "memory_growth_mb": round(populate["peak_rss_mb"] - populate["rss_before_mb"], 1),
              "floor_memory_growth_mb": round(floor["peak_rss_mb"] - floor["rss_before_mb"], 1),
              "statuses": populate["statuses"]})  # fmt: skip
        # Memory flat in the lines: the same populate over a quarter of the lines.
        smaller = in_child(phase_populate, settings, small_id)
        growth = {lines: round(result["peak_rss_mb"] - result["rss_before_mb"], 1)
                  for lines, result in ((SMALL_LINES, smaller), (LINES, populate))}  # fmt: skip
        emit({**base, "lines": SMALL_LINES, "phase": "populate_memory",
              "lines_per_s": round(SMALL_LINES / smaller["seconds"]),
              "memory_growth_mb_at_lines": growth})  # fmt: skip
        for record in in_child(phase_grid, settings, batch_id):
            emit({**base, "phase": "review_grid", "requests": GRID_REQUESTS, **record})
        execute = in_child(phase_execute, settings, batch_id)
        emit({**base, "phase": "execute", "rows": execute["rows"],
              "lines_per_s": round(LINES / execute["seconds"]),
              "floor_lines_per_s": round(rate(floor)),
              "ratio_to_floor": round(LINES / execute["seconds"] / rate(floor), 2),
              "memory_growth_mb": round(execute["peak_rss_mb"] - execute["rss_before_mb"], 1),
              "summary": execute["summary"]})  # fmt: skip


if __name__ == "__main__":
    main()
