"""How fast a data set goes to an .xlsx workbook and back (`export_data_set`,
`import_data_set`), and the memory each takes.

Prints one JSON line per measurement, on SQLite (a temporary file), and on PostgreSQL
too when POSER_BENCH_DATABASE_URL names a server (a database of its own is created
there and dropped):

- "import_sample_store": the Sample Store example (poser/data/sample_store.xlsx, 3,000
  products) into an empty data set, as "start from an example" loads it;
- "export" and "import": a data set of N generated products (100,000 by default) to a
  workbook, and that workbook into an empty data set of the same database.

    .venv/bin/python bench/bench_dataset_io.py [--products N ...]

Each measurement is a child process, so that its peak memory is its own; the commit is
included in the time.
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
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from bench.support import database
from poser.models.db_management import alembic_config
from poser.models.engine import get_engine, get_session_factory, write_transaction
from poser.models.orm import DataSet
from poser.tasks.datasets.workbook import export_data_set, import_data_set
from poser.tasks.generate import generate_products

SIZES = (100_000,)
SEED = 1


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _timed(url: str, work: Callable[[Any], dict[str, int]]) -> dict[str, Any]:
    """``work(session)`` in one write transaction, timed with its commit."""
    engine = get_engine({"sqlalchemy.url": url})
    try:
        started, cpu = time.perf_counter(), time.process_time()
        with write_transaction(get_session_factory(engine)) as session:
            counts = work(session)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    finally:
        engine.dispose()
    rows = sum(counts.values())
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "peak_rss_mb": peak_rss_mb(),
        "cpu_seconds": round(cpu_seconds, 2),
    }


def _new_data_set(session: Any, name: str) -> DataSet:
    data_set = DataSet(name=name, application="products")
    session.add(data_set)
    session.flush()
    return data_set


def run_sample_store(url: str) -> dict[str, Any]:
    example = resources.files("poser") / "data" / "sample_store.xlsx"
    with resources.as_file(example) as path:
        measured = _timed(url, lambda s: import_data_set(_new_data_set(s, "Sample"), path))
    return {"bench": "import_sample_store", "products": 3000, **measured}


def run_prepare(url: str, products: int) -> None:
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with write_transaction(get_session_factory(engine)) as session:
            generate_products(_new_data_set(session, "Source"), products=products, seed=SEED)
    finally:
        engine.dispose()


def run_export(url: str, products: int, path: Path) -> dict[str, Any]:
    def work(session: Any) -> dict[str, int]:
        source = session.scalars(select(DataSet).where(DataSet.name == "Source")).one()
        with path.open("wb") as stream:
            return export_data_set(source, stream)

    measured = _timed(url, work)
    return {"bench": "export", "products": products, "bytes": path.stat().st_size, **measured}


def run_import(url: str, products: int, path: Path) -> dict[str, Any]:
    measured = _timed(url, lambda s: import_data_set(_new_data_set(s, "Imported"), path))
    return {"bench": "import", "products": products, **measured}


def child(kind: str, url: str, what: str, products: int, path: Path) -> dict[str, Any] | None:
    """One step in a fresh process; its JSON line on stdout, if it measures."""
    arguments = ["--child", what, "--url", url, "--products", str(products), "--file", str(path)]
    result = subprocess.run(
        [sys.executable, __file__, *arguments],
        check=True,
        capture_output=True,
        text=True,
    )
    lines = result.stdout.strip().splitlines()
    if not lines:
        return None
    return {**json.loads(lines[-1]), "database": kind}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        (products,) = args.products
        steps = {
            "sample": lambda: run_sample_store(args.url),
            "prepare": lambda: run_prepare(args.url, products),
            "export": lambda: run_export(args.url, products, args.file),
            "import": lambda: run_import(args.url, products, args.file),
        }
        line = steps[args.child]()
        if line is not None:
            print(json.dumps(line))
        return
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("POSER_BENCH_DATABASE_URL") else [])
    for kind in kinds:
        for products in [None, *args.products]:
            with tempfile.TemporaryDirectory() as folder, database(kind, Path(folder)) as url:
                command.upgrade(alembic_config({"sqlalchemy.url": url}), "head")
                workbook = Path(folder) / "data-set.xlsx"
                what = ["sample"] if products is None else ["prepare", "export", "import"]
                for step in what:
                    measured = child(kind, url, step, products or 0, workbook)
                    if measured is not None:
                        print(json.dumps(measured), flush=True)


if __name__ == "__main__":
    main()
