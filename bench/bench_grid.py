"""Benchmark: the Grid widget's "rows" action (the fragment htmx fetches on every page,
sort and filter) on a data set of a million generated products.

    .venv/bin/python bench/bench_grid.py
    POSER_BENCH_DATABASE_URL=postgresql://user:pass@host/postgres \
        .venv/bin/python bench/bench_grid.py

Each request goes through the whole WSGI app in-process (session, security, the
grid's count and page queries, rendering), so the times are the server's, without a
network. One JSON line per database and scenario: p50/p95/max over BENCH_GRID_N
requests (default 30) after 3 warm-up requests. BENCH_GRID_PRODUCTS changes the size
(default 1,000,000). On PostgreSQL a database is created for the run and dropped after.
"""

from __future__ import annotations

import gc
import json
import os
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import webtest
from alembic import command
from pyramid.config import Configurator
from sqlalchemy import select

import poser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from bench.support import PASSWORD, database, log_in, percentile
from poser.apps.framework.application import Application, Step, StepGroup
from poser.apps.framework.widget import WidgetContext
from poser.apps.products.application import _grid_columns
from poser.apps.widgets.grid import Grid
from poser.models.data_extraction.grid import COUNT_CAP, GridColumn
from poser.models.data_extraction.products import product_grid
from poser.models.db_management import alembic_config
from poser.models.engine import get_engine, get_session_factory, write_transaction
from poser.models.orm import Department, Product
from poser.tasks.datasets import create_data_set
from poser.tasks.generate import generate_products
from poser.tasks.users import create_user
from poser.utils.appdir import make_appdir

PRODUCTS = int(os.environ.get("BENCH_GRID_PRODUCTS", "1000000"))
REQUESTS = int(os.environ.get("BENCH_GRID_N", "30"))
WARM_UP = 3
# A department filter names the department's id: "{Dairy}" stands for it until the
# data set is made.
SCENARIOS = {
    "first page": {},
    "sort by price": {"sort": "-regular_price"},
    "text filter + sort": {"description.q": "organic", "sort": "-regular_price"},
    "choice + range + sort": {
        "department.in": "{Dairy}",
        "regular_price.min": "2",
        "regular_price.max": "5",
        "sort": "description",
    },
    "choice + sort by price": {"department.in": "{Produce}", "sort": "-regular_price"},
    "choice + sort by description": {"department.in": "{Produce}", "sort": "description"},
    # The filters the Products grid is asked for: department (above), vendor, brand and
    # price range, each with a sort.
    "vendor + sort by price": {"vendor.in": "GLNF", "sort": "-regular_price"},
    "vendor + sort by description": {"vendor.in": "PACP", "sort": "description"},
    "brand + sort by price": {
        "brand.q": "{brand}",
        "brand.match": "equals",
        "sort": "-regular_price",
    },
    "price range + sort by description": {
        "regular_price.min": "10",
        "regular_price.max": "12",
        "sort": "description",
    },
    "bool filter + sort": {"active.is": "no", "sort": "brand"},
    "page 2,000 (offset 99,950)": {"page": "2000", "sort": "description"},
    "no match (full scan)": {"description.q": "zzzz"},
    "no match + sort by price": {"description.q": "zzzz", "sort": "-regular_price"},
    # About 70 of a million: found by the search index, then sorted.
    "rare text + sort by price": {"description.q": "honeycrisp tomatoes", "sort": "-regular_price"},
    # Searches whose matches lie far along the sort's index: about 16,000 "milk", the
    # dearest of them 395,000 products down the price index; a tenth "organic", which
    # sort by description near the middle.
    "text far along the sort (milk by price)": {"description.q": "milk", "sort": "-regular_price"},
    "common text far along the sort (organic by description, descending)": {
        "description.q": "organic",
        "sort": "-description",
    },
    # The margin is a generated column (migration 0010): indexed, it filters and sorts.
    # (Before, worked out per row, it only filtered: "computed margin filter + sort".)
    "margin filter + sort by price": {"margin_percent.max": "20", "sort": "-regular_price"},
    "sort by margin": {"sort": "margin_percent"},
    "choice + sort by margin": {"department.in": "{Produce}", "sort": "margin_percent"},
    # A filter and a sort that go apart, with many matches (migration 0011's pair
    # indexes): a vendor's margins lie far along the margin index, Baby's brands far
    # along the brand index; two departments' matches come from two ranges, merged.
    "vendor + sort by margin": {"vendor.in": "GRNL", "sort": "margin_percent"},
    "choice + sort by brand, descending": {"department.in": "{Baby}", "sort": "-brand"},
    "two choices + sort by price": {
        "department.in": ["{Dairy}", "{Frozen}"],
        "sort": "-regular_price",
    },
}


def product_columns(ctx: WidgetContext) -> list[GridColumn]:
    return _grid_columns(ctx)  # the Products Application's own columns


def refuse(ctx: WidgetContext, key: Any, values: dict[str, Any]) -> None:
    raise ValueError("the benchmark saves nothing")


APPLICATION = Application(
    name="Grid bench",
    url_name="grid_bench",
    step_groups=[
        StepGroup(
            "Catalog",
            [
                Step(
                    "Products",
                    "products",
                    widgets=[
                        Grid(
                            "products",
                            query=lambda ctx: product_grid(ctx.data_set.id),
                            columns=product_columns,
                            editable=True,
                            on_edit=refuse,
                        )
                    ],
                )
            ],
        )
    ],
)


def includeme(config: Configurator) -> None:
    config.add_application(APPLICATION)


def prepare(url: str) -> tuple[int, float]:
    """Migrate, add a user and a data set of PRODUCTS products; (its id, seconds)."""
    command.upgrade(alembic_config({"sqlalchemy.url": url}), "head")
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with write_transaction(get_session_factory(engine)) as session:
            user = create_user(session, "bench", PASSWORD, role="operator")
            data_set = create_data_set(session, "Million", APPLICATION.url_name, user)
            data_set_id = data_set.id
            started = time.perf_counter()
            generate_products(data_set, products=PRODUCTS, seed=7)
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        return data_set_id, time.perf_counter() - started
    finally:
        engine.dispose()


def placeholders(wsgi: Any, data_set_id: int) -> dict[str, str]:
    """Each department's id by its name, and "brand": the brand of the first product."""
    with get_session_factory(wsgi.registry["poser.engine"])() as session:
        query = select(Department.name, Department.id).where(Department.data_set_id == data_set_id)
        found = {name: str(id_) for name, id_ in session.execute(query)}
        found["brand"] = session.scalar(
            select(Product.brand).where(Product.data_set_id == data_set_id).order_by(Product.id)
        )
        return found


def bench(kind: str) -> None:
    with tempfile.TemporaryDirectory() as scratch, database(kind, Path(scratch)) as url:
        appdir = Path(scratch) / "app"
        make_appdir(appdir)
        data_set_id, generate_seconds = prepare(url)
        emit({"bench": "grid_setup", "database": kind, "products": PRODUCTS,
              "generate_s": round(generate_seconds, 1)})  # fmt: skip
        settings = {
            "poser.environment": "development",
            "poser.appdir": str(appdir),
            "sqlalchemy.url": url,
            "session.secret": secrets.token_hex(32),
            "session.type": "file",
            "session.key": "poser_session",
            # This module's includeme, imported by its name as a script or under -m.
            "poser.includes": __spec__.name if __spec__ else Path(__file__).stem,
            "poser.queue.name": f"poser-bench-{os.getpid()}",
            "poser.gc_freeze": "true",  # as the ini files serve
        }
        wsgi = poser.main({"here": str(appdir)}, **settings)
        try:
            app = webtest.TestApp(wsgi, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
            log_in(app)
            rows = f"/apps/grid_bench/data-sets/{data_set_id}/steps/products/products/rows"
            departments = placeholders(wsgi, data_set_id)
            for name, params in SCENARIOS.items():
                query = {
                    f"products.{key}": (
                        [one.format_map(departments) for one in value]
                        if isinstance(value, list)
                        else value.format_map(departments)
                    )
                    for key, value in params.items()
                }
                times, summary = [], ""
                for number in range(WARM_UP + REQUESTS):
                    started = time.perf_counter()
                    response = app.get(rows, query, headers={"HX-Request": "true"}, status=200)
                    if number >= WARM_UP:
                        times.append(time.perf_counter() - started)
                    found = re.search(r'data-testid="grid-summary">([^<]*)<', response.text)
                    summary = found.group(1) if found else ""
                emit(
                    {
                        "bench": "grid_rows",
                        "database": kind,
                        "products": PRODUCTS,
                        "scenario": name,
                        "query": query,
                        "requests": REQUESTS,
                        "count_cap": COUNT_CAP,
                        "shown": summary,
                        "p50_ms": round(percentile(times, 0.50) * 1000, 1),
                        "p95_ms": round(percentile(times, 0.95) * 1000, 1),
                        "max_ms": round(max(times) * 1000, 1),
                    }
                )
        finally:
            wsgi.registry["poser.engine"].dispose()
            gc.unfreeze()  # the next database's app is measured without this one's


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def main() -> None:
    bench("sqlite")
    if os.environ.get("POSER_BENCH_DATABASE_URL"):
        bench("postgresql")
    else:
        print("POSER_BENCH_DATABASE_URL is not set: PostgreSQL skipped", file=sys.stderr)


if __name__ == "__main__":
    main()
