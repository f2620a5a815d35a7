"""Benchmark: the Grid widget's "rows" action (the fragment htmx fetches on every page,
sort and filter) on a data set of a million generated products.

    .venv/bin/python bench/bench_grid.py
    POSER_BENCH_DATABASE_URL=postgresql://user:pass@host/postgres \
        .venv/bin/python bench/bench_grid.py

Each request goes through the whole WSGI app in-process (session, security, the
grid's count and page queries, rendering), so the times are the server's, without a
network. One JSON line per database and scenario: p50/p95/max over BENCH_GRID_N
requests (default 30) after 3 warm-up requests, and p50/p95 of this process's CPU
time (``cpu_``): SQLite works within the process, so on a machine busy with other
work its CPU time varies less than the elapsed time (PostgreSQL's server is not in it).
BENCH_GRID_PRODUCTS changes the size (default 1,000,000); BENCH_GRID_ONLY runs the
scenarios whose names contain it, and BENCH_GRID_DB=sqlite (or postgresql) that
database alone; BENCH_GRID_PLAIN=1 reads every page by the plain query, without the plans of
poser/models/data_extraction/grid_plans.py (what their table compares). The
generated database is kept between runs (`bench.support.cached_database`); on
PostgreSQL each run works on a copy of it, dropped after.

A scenario is a grid's URL, or the link a page shows (``follow``: "Last", say), as
an operator clicks it: the same scenario then measures whatever each version of the
grid links to. Deep pages name their rows by SQL of their own (``{after_1999}``: the
key of the last row of page 1,999 by description), so that the same URL reads the
same rows whether the grid pages by keyset or by offset.
"""

from __future__ import annotations

import functools
import gc
import html
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
from sqlalchemy import select, text

# Run as a script from anywhere, and measure the tree it is in (a worktree of another
# commit, say), not the one the virtualenv installed: before the first import of poser.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import poser
from bench.support import PASSWORD, cached_database, log_in, percentile, settle
from poser.apps.framework.application import Application, Step, StepGroup
from poser.apps.framework.widget import WidgetContext
from poser.apps.products.application import _grid_columns
from poser.apps.widgets.grid import Grid
from poser.models.data_extraction.grid_state import GridColumn
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
    # Page 2,000 by description: as its link names it (after the last row of page
    # 1,999), going back to it from page 2,001, and typed (page=2000 alone).
    "page 2,000 by its link": {"page": "2000", "after": "{after_1999}", "sort": "description"},
    "page 2,000 back from page 2,001": {
        "page": "2000",
        "before": "{before_2001}",
        "sort": "description",
    },
    "page 2,000 typed (offset 99,950)": {"page": "2000", "sort": "description"},
    # The last page of a brand's 3,000 products, by the grid's own "Last" link.
    "brand + sort by price, last page": {
        "brand.q": "{brand}",
        "brand.match": "equals",
        "sort": "-regular_price",
        "follow": "Last",
    },
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


def prepare(url: str) -> int:
    """Migrate, add a user and a data set of PRODUCTS products; its id."""
    command.upgrade(alembic_config({"sqlalchemy.url": url}), "head")
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with write_transaction(get_session_factory(engine)) as session:
            user = create_user(session, "bench", PASSWORD, role="operator")
            data_set = create_data_set(session, "Million", APPLICATION.url_name, user)
            data_set_id = data_set.id
            started = time.perf_counter()
            generate_products(data_set, products=PRODUCTS, seed=7)
        settle(engine)
        emit({"bench": "grid_setup", "database": engine.dialect.name, "products": PRODUCTS,
              "generate_s": round(time.perf_counter() - started, 1)})  # fmt: skip
        return data_set_id
    finally:
        engine.dispose()


#: The key of the row at a position (1-based) in description order.
_AT_POSITION = text(
    "SELECT id FROM product WHERE data_set_id = :data_set_id "
    "ORDER BY description, id LIMIT 1 OFFSET :offset"
)


def placeholders(wsgi: Any, data_set_id: int) -> dict[str, str]:
    """Each department's id by its name; "brand": the brand of the first product;
    "after_1999" and "before_2001": the keys of the last row of page 1,999 and of the
    first of page 2,001 (50 rows a page), by description."""
    with get_session_factory(wsgi.registry["poser.engine"])() as session:
        query = select(Department.name, Department.id).where(Department.data_set_id == data_set_id)
        found = {name: str(id_) for name, id_ in session.execute(query)}
        found["brand"] = session.scalar(
            select(Product.brand).where(Product.data_set_id == data_set_id).order_by(Product.id)
        )
        for name, position in (("after_1999", 1999 * 50), ("before_2001", 2000 * 50 + 1)):
            at = {"data_set_id": data_set_id, "offset": position - 1}
            found[name] = str(session.scalar(_AT_POSITION, at))
        return found


def followed(app: Any, rows: str, query: dict[str, Any], label: str) -> tuple[str, dict[str, Any]]:
    """The rows URL of the link labelled ``label`` on the page of ``query``."""
    page = app.get(rows, query, headers={"HX-Request": "true"}, status=200).text
    for attributes, text_ in re.findall(r'<a class="page-link" ([^>]*)>([^<]*)</a>', page):
        if label in text_:
            found = re.search(r'hx-get="([^"]*)"', attributes)
            assert found, attributes
            return html.unescape(found.group(1)), {}
    raise LookupError(f"no link {label!r} on the page of {query}")


def bench(kind: str) -> None:
    if os.environ.get("BENCH_GRID_PLAIN"):
        import poser.apps.widgets.grid as grid_widget

        grid_widget.grid_page = functools.partial(grid_widget.grid_page, plans=False)  # type: ignore[assignment]
    with (
        tempfile.TemporaryDirectory() as scratch,
        cached_database(kind, Path(scratch), f"grid-{PRODUCTS}", prepare) as (url, data_set_id),
    ):
        appdir = Path(scratch) / "app"
        make_appdir(appdir)
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
            known = placeholders(wsgi, data_set_id)
            only = os.environ.get("BENCH_GRID_ONLY", "")
            for name, params in SCENARIOS.items():
                if only not in name:
                    continue
                follow = params.get("follow")
                query = {
                    f"products.{key}": (
                        [one.format_map(known) for one in value]
                        if isinstance(value, list)
                        else value.format_map(known)
                    )
                    for key, value in params.items()
                    if key != "follow"
                }
                url_ = rows
                if follow:
                    url_, query = followed(app, rows, query, follow)
                times, cpu, summary = [], [], ""
                for number in range(WARM_UP + REQUESTS):
                    started, started_cpu = time.perf_counter(), time.process_time()
                    response = app.get(url_, query, headers={"HX-Request": "true"}, status=200)
                    if number >= WARM_UP:
                        times.append(time.perf_counter() - started)
                        cpu.append(time.process_time() - started_cpu)
                    found = re.search(r'data-testid="grid-summary">([^<]*)<', response.text)
                    summary = found.group(1) if found else ""
                emit(
                    {
                        "bench": "grid_rows",
                        "database": kind,
                        "products": PRODUCTS,
                        "scenario": name,
                        "query": query or url_.partition("?")[2],
                        "requests": REQUESTS,
                        "plans": "off" if os.environ.get("BENCH_GRID_PLAIN") else "on",
                        "shown": summary,
                        "p50_ms": round(percentile(times, 0.50) * 1000, 1),
                        "p95_ms": round(percentile(times, 0.95) * 1000, 1),
                        "max_ms": round(max(times) * 1000, 1),
                        "cpu_p50_ms": round(percentile(cpu, 0.50) * 1000, 1),
                        "cpu_p95_ms": round(percentile(cpu, 0.95) * 1000, 1),
                    }
                )
        finally:
            wsgi.registry["poser.engine"].dispose()
            gc.unfreeze()  # the next database's app is measured without this one's


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def main() -> None:
    only = os.environ.get("BENCH_GRID_DB", "")  # "sqlite" or "postgresql": that one alone
    if only != "postgresql":
        bench("sqlite")
    if only != "sqlite" and os.environ.get("POSER_BENCH_DATABASE_URL"):
        bench("postgresql")
    elif only != "sqlite":
        print("POSER_BENCH_DATABASE_URL is not set: PostgreSQL skipped", file=sys.stderr)


if __name__ == "__main__":
    main()
