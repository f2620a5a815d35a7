"""How fast the storefront product feed is written over a generated data set, and the
memory it needs.

Prints one JSON line per database, size and measurement, on SQLite (a temporary
file), and on PostgreSQL too when POSER_BENCH_DATABASE_URL names a server (a database
of its own is created there and dropped). Three measurements, each a child process so
that its peak memory is its own:

- ``idle``: the process, connected, with the data set loaded and nothing read: the
  floor of the memory figures;
- ``query``: the feed's rows streamed (``feed_rows``, ``yield_per``) and dropped: the
  floor of the time, what reading alone costs;
- ``feed``: the feed written as a run writes it (`write_feed`: the CSV into a local
  store in a temporary folder, then its Export recorded).

The feed's peak memory should not grow with the data set: compare the sizes. On
SQLite the resident figure counts the pages of the database file the process read
through its memory map (``poser.sqlite.mmap_size_mib``, 1 GiB by default): the
operating system's page cache, not memory of the process's own. ``--sqlite-mmap-mib
0`` reads without the map, to see the process's own.

    .venv/bin/python bench/bench_feed.py [--products N ...] [--sqlite-mmap-mib MIB]
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
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from bench.support import database
from poser.models.db_management import alembic_config
from poser.models.engine import (
    DEFAULT_MMAP_SIZE_MIB,
    get_engine,
    get_session_factory,
    write_transaction,
)
from poser.models.orm import DataSet
from poser.storage import local_store
from poser.tasks.feeds import FIELDS, feed_rows, write_feed
from poser.tasks.generate import generate_products

SIZES = (20_000, 200_000)
SEED = 1
MEASUREMENTS = ("idle", "query", "feed")


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_prepare(url: str, products: int) -> None:
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with write_transaction(get_session_factory(engine)) as session:
            data_set = DataSet(name="Bench", application="products")
            session.add(data_set)
            session.flush()
            generate_products(data_set, products=products, seed=SEED)
    finally:
        engine.dispose()


def run_one(url: str, products: int, what: str, folder: Path, mmap: str) -> dict[str, Any]:
    engine = get_engine({"sqlalchemy.url": url, "poser.sqlite.mmap_size_mib": mmap})
    rows = 0
    try:
        with write_transaction(get_session_factory(engine)) as session:
            data_set = session.scalars(select(DataSet).where(DataSet.name == "Bench")).one()
            started, cpu = time.perf_counter(), time.process_time()
            if what == "query":
                for _ in feed_rows(data_set, list(FIELDS)):
                    rows += 1
            elif what == "feed":
                rows = write_feed(data_set, local_store(folder), job_id=1).row_count
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    finally:
        engine.dispose()
    return {
        "bench": "feed",
        "measure": what,
        "products": products,
        "rows": rows,
        "seconds": round(seconds, 2),
        "products_per_second": round(rows / seconds) if rows and seconds else None,
        "peak_rss_mb": peak_rss_mb(),
        "cpu_seconds": round(cpu_seconds, 2),
        **({"sqlite_mmap_mib": int(mmap)} if url.startswith("sqlite") else {}),
    }


def child(kind: str, url: str, what: str, products: int, folder: Path, mmap: str) -> Any:
    arguments = ["--child", what, "--url", url, "--products", str(products),
                 "--folder", str(folder), "--sqlite-mmap-mib", mmap]  # fmt: skip
    result = subprocess.run(
        [sys.executable, __file__, *arguments], check=True, capture_output=True, text=True
    )
    lines = result.stdout.strip().splitlines()
    return {**json.loads(lines[-1]), "database": kind} if lines else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--sqlite-mmap-mib", default=str(DEFAULT_MMAP_SIZE_MIB))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        (products,) = args.products
        if args.child == "prepare":
            run_prepare(args.url, products)
        else:
            measured = run_one(args.url, products, args.child, args.folder, args.sqlite_mmap_mib)
            print(json.dumps(measured))
        return
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("POSER_BENCH_DATABASE_URL") else [])
    for kind in kinds:
        for products in args.products:
            with tempfile.TemporaryDirectory() as folder, database(kind, Path(folder)) as url:
                command.upgrade(alembic_config({"sqlalchemy.url": url}), "head")
                mmap = args.sqlite_mmap_mib
                child(kind, url, "prepare", products, Path(folder), mmap)
                for what in MEASUREMENTS:
                    measured = child(kind, url, what, products, Path(folder) / "files", mmap)
                    print(json.dumps(measured), flush=True)


if __name__ == "__main__":
    main()
