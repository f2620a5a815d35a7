"""How fast `generate_products` fills a data set, against the floor plain sqlite3 sets.

Prints one JSON line per run: 100,000 and 1,000,000 products on SQLite (a temporary
file), and on PostgreSQL too when POSER_BENCH_DATABASE_URL names a server (a database
of its own is created there and dropped). Then a "floor" line per size: the same rows,
built beforehand as tuples, inserted by the sqlite3 module's executemany into the same
schema with the same settings, and the ratio of the generator's time to it.

    .venv/bin/python bench/bench_generate.py [--products N ...]

Each run is a child process, so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from alembic import command

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from bench.support import database
from poser.models.db_management import alembic_config
from poser.models.engine import get_engine, get_session_factory, write_transaction
from poser.models.orm import DataSet
from poser.tasks.bulk import SQLITE_BULK_CACHE_KIB
from poser.tasks.generate import CHUNK_SIZE, _Plan, generate_products
from poser.tasks.generate_words import DEPARTMENTS, VENDORS

SIZES = (100_000, 1_000_000)
SEED = 1
PRODUCT_COLUMNS = ("id", "data_set_id", "upc", "description", "brand", "size",
                   "department_id", "regular_price", "on_hand", "active")  # fmt: skip
COST_COLUMNS = ("data_set_id", "product_id", "vendor_id", "vendor_item_code", "case_size",
                "case_cost", "unit_cost", "preferred")  # fmt: skip


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_generate(kind: str, products: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder, database(kind, Path(folder)) as url:
        settings = {"sqlalchemy.url": url}
        command.upgrade(alembic_config(settings), "head")
        engine = get_engine(settings)
        try:
            started, cpu = time.perf_counter(), time.process_time()
            with write_transaction(get_session_factory(engine)) as session:
                data_set = DataSet(name="Bench")
                session.add(data_set)
                session.flush()
                counts = generate_products(data_set, products=products, seed=SEED)
            seconds = time.perf_counter() - started  # the commit included
            cpu_seconds = time.process_time() - cpu
        finally:
            engine.dispose()
    rows = sum(counts.values())
    return {
        "bench": "generate_products",
        "products": products,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "database": "postgresql" if kind == "postgresql" else "sqlite",
        "peak_rss_mb": peak_rss_mb(),
        "cpu_seconds": round(cpu_seconds, 2),
    }


def run_floor(products: int) -> dict[str, Any]:
    """The same rows into the same schema, built first, then only inserted."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "floor.sqlite"
        command.upgrade(alembic_config({"sqlalchemy.url": f"sqlite:///{path}"}), "head")
        connection = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON",
                       f"cache_size = {-SQLITE_BULK_CACHE_KIB}"):  # fmt: skip
            connection.execute(f"PRAGMA {pragma}")
        connection.execute("INSERT INTO data_set (name, application, description, created_at)"
                           " VALUES ('Floor', '', '', '2026-01-01')")  # fmt: skip
        connection.executemany(
            "INSERT INTO department (data_set_id, number, name) VALUES (1, ?, ?)",
            [(d.number, d.name) for d in DEPARTMENTS],
        )
        connection.executemany(
            "INSERT INTO vendor (data_set_id, code, name) VALUES (1, ?, ?)",
            [(code, name) for code, name, _ in VENDORS],
        )
        department_ids = dict(connection.execute("SELECT number, id FROM department"))
        vendor_ids = dict(connection.execute("SELECT code, id FROM vendor"))
        plan = _Plan(random.Random(SEED), 1, department_ids, vendor_ids)
        chunks = []
        for start in range(0, products, CHUNK_SIZE):
            ids = range(start + 1, min(start + CHUNK_SIZE, products) + 1)
            product_rows, cost_rows = plan.chunk(start, ids)
            chunks.append(
                (
                    [tuple(row[c] for c in PRODUCT_COLUMNS) for row in product_rows],
                    [tuple(row[c] for c in COST_COLUMNS) for row in cost_rows],
                )
            )
        insert_products = _insert_sql("product", PRODUCT_COLUMNS)
        insert_costs = _insert_sql("product_cost", COST_COLUMNS)
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        for product_rows, cost_rows in chunks:
            connection.executemany(insert_products, product_rows)
            connection.executemany(insert_costs, cost_rows)
        connection.execute("COMMIT")
        seconds = time.perf_counter() - started
        connection.close()
    rows = len(DEPARTMENTS) + len(VENDORS) + sum(len(p) + len(c) for p, c in chunks)
    return {
        "bench": "generate_products_floor",
        "products": products,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "database": "sqlite",
        "method": "sqlite3 executemany of pre-built tuples, same schema and pragmas",
    }


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608


def child(what: str, products: int) -> dict[str, Any]:
    """One measurement in a fresh process; its JSON line on stdout."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", what, "--products", str(products)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, nargs="+", default=list(SIZES))
    parser.add_argument(
        "--child", choices=("sqlite", "postgresql", "floor"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        (products,) = args.products
        line = run_floor(products) if args.child == "floor" else run_generate(args.child, products)
        print(json.dumps(line))
        return
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("POSER_BENCH_DATABASE_URL") else [])
    for products in args.products:
        for kind in kinds:
            measured = child(kind, products)
            print(json.dumps(measured), flush=True)
            if kind == "sqlite":
                floor = child("floor", products)
                floor["ratio"] = round(measured["seconds"] / floor["seconds"], 2)
                print(json.dumps(floor), flush=True)


if __name__ == "__main__":
    main()
