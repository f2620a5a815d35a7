"""How long each report takes over a generated data set, and the memory it needs.

Prints one JSON line per report and size, on SQLite (a temporary file), and on
PostgreSQL too when POSER_BENCH_DATABASE_URL names a server (a database of its own is
created there and dropped). A report's run writes its CSV, XLSX and printable HTML to a
local store in a temporary folder, as a worker does (`run_report`), rows streamed in
chunks (``yield_per``): its peak memory should not grow with the data set.

The data set is N generated products (20,000 by default; the performance goal is
1,000,000, under 30 s each) and a cost change logged for every fifth product, so that
the cost changes report has rows to read.

    .venv/bin/python bench/bench_reports.py [--products N ...] [--reports NAME ...]

Each measurement is a child process, so that its peak memory is its own. On SQLite that
peak counts the database's pages mapped into memory (``poser.sqlite.mmap_size_mib``):
about the same for a report of 16 rows as for one of 200,000. The generated
database is kept between runs (`bench.support.cached_database`, as ``reports-N``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import insert, literal, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from bench.support import cached_database, settle
from poser.models.db_management import alembic_config
from poser.models.engine import get_engine, get_session_factory, write_transaction
from poser.models.orm import DataSet, Product, ProductChange
from poser.storage import local_store
from poser.tasks.generate import generate_products
from poser.tasks.reports import all_reports, get_report
from poser.tasks.reports.run import run_report

SIZES = (20_000,)
SEED = 1
#: The cost changes report's period: the day the changes are logged on.
DAY = date(2026, 3, 2)
PARAMETERS = {"cost_changes": {"start": DAY.isoformat(), "end": DAY.isoformat()}}


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_prepare(url: str, products: int) -> None:
    """Migrate; the data set "Bench" of ``products`` products and its cost changes."""
    command.upgrade(alembic_config({"sqlalchemy.url": url}), "head")
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with write_transaction(get_session_factory(engine)) as session:
            data_set = DataSet(name="Bench", application="products")
            session.add(data_set)
            session.flush()
            generate_products(data_set, products=products, seed=SEED)
            every_fifth = select(
                Product.data_set_id,
                Product.id,
                literal(datetime.combine(DAY, datetime.min.time(), UTC)),
                literal("cost"),
                Product.preferred_vendor_id,
                Product.preferred_unit_cost,
                Product.preferred_unit_cost * 1.05,
                literal("batch"),
            ).where(
                Product.data_set_id == data_set.id,
                Product.preferred_unit_cost.is_not(None),
                Product.id % 5 == 0,
            )
            session.execute(
                insert(ProductChange).from_select(
                    [
                        "data_set_id",
                        "product_id",
                        "changed_at",
                        "field",
                        "vendor_id",
                        "old_unit_cost",
                        "new_unit_cost",
                        "source",
                    ],
                    every_fifth,
                )
            )
        settle(engine)
    finally:
        engine.dispose()


def run_one(url: str, products: int, name: str, folder: Path) -> dict[str, Any]:
    engine = get_engine({"sqlalchemy.url": url})
    report = get_report(name)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        with write_transaction(get_session_factory(engine)) as session:
            data_set = session.scalars(select(DataSet).where(DataSet.name == "Bench")).one()
            files = local_store(folder)
            result = run_report(data_set, report, PARAMETERS.get(name, {}), files=files, job_id=1)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    finally:
        engine.dispose()
    return {
        "bench": "report",
        "report": name,
        "products": products,
        "rows": result["rows"],
        "seconds": round(seconds, 2),
        "peak_rss_mb": peak_rss_mb(),
        "cpu_seconds": round(cpu_seconds, 2),
    }


def child(kind: str, url: str, what: str, products: int, name: str, folder: Path) -> Any:
    arguments = ["--child", what, "--url", url, "--products", str(products),
                 "--reports", name, "--folder", str(folder)]  # fmt: skip
    result = subprocess.run(
        [sys.executable, __file__, *arguments], check=True, capture_output=True, text=True
    )
    lines = result.stdout.strip().splitlines()
    return {**json.loads(lines[-1]), "database": kind} if lines else None


def prepared(products: int) -> Any:
    """What fills a cached database: a child process, so that its memory is not the
    benchmark's; the data set's id is 1 (the only one)."""

    def make(url: str) -> int:
        child("prepare", url, "prepare", products, "", Path(tempfile.gettempdir()))
        return 1

    return make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--reports", nargs="+", default=None)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    names = args.reports or [report.name for report in all_reports("products")]
    if args.child:
        (products,) = args.products
        if args.child == "prepare":
            run_prepare(args.url, products)
        else:
            print(json.dumps(run_one(args.url, products, names[0], args.folder)))
        return
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("POSER_BENCH_DATABASE_URL") else [])
    for kind in kinds:
        for products in args.products:
            name = f"reports-{products}"
            with (
                tempfile.TemporaryDirectory() as folder,
                cached_database(kind, Path(folder), name, prepared(products)) as (url, _),
            ):
                for report in names:
                    measured = child(kind, url, "run", products, report, Path(folder) / "files")
                    print(json.dumps(measured), flush=True)


if __name__ == "__main__":
    main()
