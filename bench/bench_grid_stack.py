"""Throughput of the Products grid page through the whole stack, beside a bare Pyramid
view that runs the same query and renders the same rows, in the same run.

Both are served by waitress (4 threads) in their own processes; a client with keep-alive
connections (4 threads) requests for a fixed time. JSON lines on stdout.

    .venv/bin/python bench/bench_grid_stack.py [--products 1000000] [--seconds 15]
    POSER_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test ... (PostgreSQL)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.support import bench_database, free_port, prepare  # noqa: E402
from poser.models.engine import get_engine  # noqa: E402
from poser.models.orm import Department  # noqa: E402

SECRET = "bench-" + secrets.token_hex(24)
SCENARIOS = {
    # A filter and a sort: the query dominates, as operators' searches often do.
    # The department filter names the department's id: "{Produce}" stands for it.
    "filter-sort": {"products.department.in": "{Produce}", "products.sort": "-regular_price"},
    # A sort an index serves: the page is cheap, so the framework's own cost shows.
    "sort": {"products.sort": "-regular_price"},
}

SERVER = r"""
import json, sys
from jinja2 import Template
from pyramid.config import Configurator
from pyramid.response import Response
from waitress import serve
from poser.models.engine import get_engine, get_session_factory

settings, mode, port = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3])
if mode == "stack":
    import poser
    app = poser.main({"here": settings["poser.appdir"]}, **settings)
else:
    from poser.apps.products.application import _grid_columns
    from poser.models.data_extraction.grid import grid_page
    from poser.apps.widgets.grid_text import parse_grid_state
    from poser.models.data_extraction.products import product_grid
    from poser.models.orm import DataSet

    class Ctx:  # what _grid_columns reads: the session and the data set
        def __init__(self, session, data_set):
            self.dbsession, self.data_set = session, data_set

    sessions = get_session_factory(get_engine(settings))
    page = Template(
        "<table><thead><tr>{% for c in columns %}<th>{{ c.label }}</th>{% endfor %}</tr></thead>"
        "<tbody>{% for row in rows %}<tr>{% for c in columns %}<td>{{ row[c.name] }}</td>"
        "{% endfor %}</tr>{% endfor %}</tbody></table><p>{{ total }}</p>",
        autoescape=True,
    )

    def bare(request):
        data_set_id = int(request.matchdict["id"])
        with sessions() as session:
            ctx = Ctx(session, session.get(DataSet, data_set_id))
            columns = [c for c in _grid_columns(ctx) if c.visible]
            state = parse_grid_state(request.GET, columns, prefix="products.")
            result = grid_page(session, product_grid(data_set_id), columns, state, "id")
            html = page.render(columns=columns, rows=result.rows, total=result.total)
        return Response(html)

    config = Configurator()
    config.add_route("bare", "/bare/{id}")
    config.add_view(bare, route_name="bare")
    app = config.make_wsgi_app()
    from poser.entry_points.web import freeze_startup_objects
    freeze_startup_objects()  # as the stack does: the same collector for both
serve(app, host="127.0.0.1", port=port, threads=4, _quiet=True)
"""


def department_ids(settings: dict[str, Any], data_set_id: int) -> dict[str, str]:
    engine = get_engine(settings)
    try:
        with engine.connect() as connection:
            query = select(Department.name, Department.id).where(
                Department.data_set_id == data_set_id
            )
            return {name: str(id_) for name, id_ in connection.execute(query)}
    finally:
        engine.dispose()


def start(settings: dict[str, object], mode: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, json.dumps(settings), mode, str(port)], env=env
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
            return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{mode} server did not start")


def login(port: int, username: str, password: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/login")
    response = conn.getresponse()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)
    body = urlencode(
        {"csrf_token": token, "username": username, "password": password, "submit": "submit"}
    )
    conn.request(
        "POST",
        "/login",
        body,
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = conn.getresponse()
    response.read()
    assert response.status == 303, response.status
    return response.getheader("Set-Cookie").split(";")[0]


def hammer(
    port: int, path: str, headers: dict[str, str], seconds: float, threads: int = 4
) -> dict[str, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        mine = []
        while time.monotonic() < stop:
            began = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    latencies.sort()
    return {
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), action="append")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, bench_database(Path(folder)) as settings:
        data_set_id = prepare(settings, args.products, password=SECRET)
        settings = {**settings, "session.secret": SECRET, "poser.gc_freeze": "true"}
        stack, stack_port = start(settings, "stack")
        bare, bare_port = start(settings, "bare")
        try:
            cookie = login(stack_port, "bench", SECRET)
            database = settings["sqlalchemy.url"].split(":")[0].split("+")[0]
            departments = department_ids(settings, data_set_id)
            for scenario in args.scenario or sorted(SCENARIOS):
                params = {k: v.format_map(departments) for k, v in SCENARIOS[scenario].items()}
                query = urlencode(params)
                path = f"/apps/products/data-sets/{data_set_id}/steps/catalog?{query}"
                bare_path = f"/bare/{data_set_id}?{query}"
                hammer(stack_port, path, {"Cookie": cookie}, 2)  # warm both up
                hammer(bare_port, bare_path, {}, 2)
                full = hammer(stack_port, path, {"Cookie": cookie}, args.seconds)
                floor = hammer(bare_port, bare_path, {}, args.seconds)
                common = {
                    "products": args.products,
                    "database": database,
                    "scenario": scenario,
                    "query": params,
                    "threads": 4,
                }
                ratio = round(full["requests_per_second"] / floor["requests_per_second"], 2)
                print(json.dumps({"bench": "grid_page_bare_pyramid", **common, **floor}))
                full_line = {"bench": "grid_page_full_stack", **common, **full}
                print(json.dumps({**full_line, "ratio_to_bare": ratio}))
        finally:
            for process in (stack, bare):
                process.terminate()
                process.wait(10)


if __name__ == "__main__":
    main()
