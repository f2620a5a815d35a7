"""Load: operators at work on Poser as deployed while a large catalog is read and applied.

    POSER_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        BENCH_LOAD_PROCESSES=2 .venv/bin/python bench/bench_load.py  # and =1
    .venv/bin/python bench/bench_load.py                     # SQLite, through nginx
    BENCH_LOAD_NGINX=0 .venv/bin/python bench/bench_load.py  # SQLite, to waitress

The site starts as the deployment test starts it (tests/deploy/deployment.py): nginx
with docs/deploy/nginx-poser.conf (TLS on a loopback port) in front of waitress
processes from production.ini, a worker and the scheduler. On PostgreSQL, sessions and
the queue are on Redis and files on S3 (moto's server); on SQLite, the embedded
defaults (sessions in files, the queue and files in the app dir), one web process.

A data set of BENCH_LOAD_ROWS generated products (kept between runs, as the other
benchmarks keep theirs) has BENCH_LOAD_USERS operators, each logged in through the real
form with a browser session of its own (a thread of this process over requests). For
BENCH_LOAD_SECONDS each operator in turn browses the Products grid (a page), filters it
(a department, sorted by price), edits a price cell of its own rows and polls the page
of the running job (the page, then its progress fragment, as the page does), resting
BENCH_LOAD_THINK seconds between actions and logging in again if its session ends. Two
seconds in, a catalog of as many rows for one vendor is read into a batch (populate) on
the worker and then applied; the window does not wait for it, the report does.

Settings (environment; the defaults are issue 23's figures):

    BENCH_LOAD_USERS=50          operators
    BENCH_LOAD_SECONDS=60        the measured window
    BENCH_LOAD_ROWS=200000       products, and the catalog's rows
    BENCH_LOAD_DB                postgresql or sqlite (the embedded default); as the
                                 other benchmarks: postgresql when
                                 POSER_BENCH_DATABASE_URL names the server, else sqlite
    BENCH_LOAD_PROCESSES=2       waitress processes behind nginx: 1 or 2 (SQLite: 1)
    BENCH_LOAD_NGINX=1           0: no nginx, one waitress process on plain HTTP
    BENCH_LOAD_THINK=1.0         seconds each operator rests between actions
    BENCH_LOAD_REDIS_URL=redis://127.0.0.1:6379/14   emptied before and after a run
    POSER_BENCH_DATABASE_URL     the PostgreSQL server

The operators are threads of this process, on the site's cores: what they cost the
machine is in what they measure. One JSON line per measurement: the setup's times;
requests, errors by status and p50/p95/p99/max latency in all (with the requests each
web process answered) and per kind of request; the two jobs' outcome and when they
ended; and the error lines in the processes' logs.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from bench.bench_catalog import _make_batch, write_catalog  # noqa: E402
from bench.bench_concurrency import Client, Recorder  # noqa: E402
from bench.bench_grid_stack import SCENARIOS, department_ids  # noqa: E402
from bench.concurrency_support import Bench  # noqa: E402
from bench.support import PASSWORD, cached_database, prepare  # noqa: E402
from tests.deploy.deployment import Site, UnavailableError, deployed  # noqa: E402

USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
ROWS = int(os.environ.get("BENCH_LOAD_ROWS", "200000"))
DB = os.environ.get("BENCH_LOAD_DB") or (
    "postgresql" if os.environ.get("POSER_BENCH_DATABASE_URL") else "sqlite"
)
PROCESSES = int(os.environ.get("BENCH_LOAD_PROCESSES", "2"))
NGINX = os.environ.get("BENCH_LOAD_NGINX", "1") != "0"
THINK = float(os.environ.get("BENCH_LOAD_THINK", "1.0"))
REDIS_URL = os.environ.get("BENCH_LOAD_REDIS_URL", "redis://127.0.0.1:6379/14")
#: Seconds into the window when the catalog is handed to the worker.
JOBS_AT = 2.0
#: A bound on waiting, after the window, for the jobs to end (not a speed).
JOBS_WAIT = 3600
EXPECTED = {"login_page": 200, "login": 303, "home": 200, "grid_page": 200,
            "grid_filter": 200, "grid_edit": 303, "job_page": 200,
            "job_progress": 200}  # fmt: skip
LOG_LINES = {"tracebacks": "Traceback (most recent call last)", "errors": "ERROR ",
             "database_locked": "database is locked",
             "nginx_upstream": "upstream"}  # fmt: skip


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


class LoadBench(Bench):
    """bench_concurrency's set-up and job helpers, on the deployed site's settings."""

    def __init__(self, site: Site, data_set_id: int) -> None:
        import plaster

        from poser.models.engine import get_engine, get_session_factory
        from poser.utils.settings import prepare_settings

        self.folder, self.root, self.env = site.folder, ROOT, site.env
        # S3's credentials come from the environment, in this process as in the site's.
        os.environ.update({k: v for k, v in site.env.items() if k.startswith("AWS_")})
        self.base_url, self.client_names = site.base, []
        raw = plaster.get_loader(str(site.ini), protocols=["wsgi"]).get_settings("app:main")
        self.settings = prepare_settings(raw, here=site.folder, environ=site.env)
        self.data_set_id = data_set_id
        self.engine = get_engine(self.settings)
        self.factory = get_session_factory(self.engine)

    def add_catalog(self, rows: int) -> None:
        """Operators as editors of the data set; a catalog in the site's file store, its
        batch not yet read."""
        self._add_clients(USERS)
        path = self.folder / "catalog.csv"
        vendor = write_catalog(self.settings, self.data_set_id, path, rows)
        self.batch_id = _make_batch(self.settings, self.data_set_id, path, vendor)


class Operator(Client):
    """A bench_concurrency client that also browses, filters and polls a job."""

    #: Requests per web process that answered them, from every operator: nginx names
    #: it in X-Test-Upstream on the deployment test's site.
    upstreams: Counter[str] = Counter()

    def call(self, kind: str, method: str, path: str, **kwargs: Any) -> Any:
        response = super().call(kind, method, path, **kwargs)
        upstream = response.headers.get("X-Test-Upstream") if response is not None else None
        if upstream:
            with self.recorder.lock:
                self.upstreams[upstream] += 1
        return response

    def browse(self, data_set_id: int, page: int) -> None:
        self.call("grid_page", "GET", f"/apps/products/data-sets/{data_set_id}/steps/catalog",
                  params={"products.page": page})  # fmt: skip

    def filter(self, data_set_id: int, query: dict[str, str]) -> None:
        self.call("grid_filter", "GET", f"/apps/products/data-sets/{data_set_id}/steps/catalog",
                  params=query)  # fmt: skip

    def poll(self, job_id: int) -> None:
        self.call("job_page", "GET", f"/jobs/{job_id}")
        self.call("job_progress", "GET", f"/jobs/{job_id}/progress",
                  headers={"HX-Request": "true"})  # fmt: skip


def work(operator: Operator, number: int, data_set_id: int, filters: list[dict[str, str]],
         jobs: dict[str, Any], stop: threading.Event) -> None:  # fmt: skip
    step = number
    while not stop.is_set():
        action = step % 4
        if operator.logged_out:
            operator.login()
        elif action == 0:
            operator.browse(data_set_id, 1 + (number * 7 + step) % 50)
        elif action == 1:
            operator.filter(data_set_id, filters[step % len(filters)])
        elif action == 2:
            operator.edit_grid(data_set_id, step)
        elif jobs.get("current"):
            operator.poll(jobs["current"])
        else:
            operator.browse(data_set_id, 1 + step % 50)
        step += 1
        stop.wait(THINK)


def run_jobs(bench: LoadBench, jobs: dict[str, Any], started: float) -> None:
    """The catalog read, its rows in error acknowledged, then applied: as an operator
    asks for each once the last is done. When each ended, in seconds of the window."""
    from poser.models.engine import write_transaction
    from poser.models.orm import Batch
    from poser.tasks.batches import get_handler

    populate = bench.submit("batches.populate", batch_id=bench.batch_id)
    jobs.update(current=populate, populate_id=populate)
    jobs["populate"] = bench.wait_for_job(populate, timeout=JOBS_WAIT)
    jobs["populate_done_s"] = round(time.monotonic() - started, 1)
    if jobs["populate"] != "succeeded":
        return
    with write_transaction(bench.factory) as session:
        batch = session.get_one(Batch, bench.batch_id)
        if batch.status_counts.get("error"):
            get_handler(batch.batch_type).acknowledge(batch, None)
        jobs["statuses"] = dict(batch.status_counts)
    apply = bench.submit_apply()
    jobs.update(current=apply, apply_id=apply)
    jobs["apply"] = bench.wait_for_job(apply, timeout=JOBS_WAIT)
    jobs["apply_done_s"] = round(time.monotonic() - started, 1)


def drive(site: Site, bench: LoadBench) -> dict[str, Any]:
    from concurrent.futures import ThreadPoolExecutor

    recorder = Recorder(EXPECTED)
    operators = [Operator(site.base, name, f"10.0.{n // 200}.{n % 200 + 1}", recorder)
                 for n, name in enumerate(bench.client_names)]  # fmt: skip
    for operator in operators:
        # The site's own certificate, whatever CA bundle the environment names.
        operator.http.trust_env = False
        operator.http.verify = site.ca
        # What a browser sends: over https, CSRF checks the origin of every post.
        operator.http.headers["Origin"] = site.base

    def ready(page: int) -> None:
        operator = operators[page - 1]
        if not operator.login():
            statuses = [status for kind, status, _ in recorder.records if kind == "login"]
            raise RuntimeError(f"{operator.username} could not log in: {statuses}")
        operator.pick_products(bench.data_set_id, page)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(ready, range(1, len(operators) + 1)))
    departments = department_ids(bench.settings, bench.data_set_id)
    filters = [{k: v.format_map(departments) for k, v in query.items()}
               for query in SCENARIOS.values()]  # fmt: skip
    url = f"{site.base}/apps/products/data-sets/{bench.data_set_id}/steps/catalog"
    for query in filters:  # each filter finds products: the window times real pages
        shown = operators[0].http.get(url, params={**query, "products.size": 10}, timeout=60)
        if shown.status_code != 200 or "products.was.regular_price." not in shown.text:
            raise RuntimeError(f"the grid filtered by {query} shows no products")
    recorder.records.clear()  # the window starts now
    Operator.upstreams.clear()

    stop, jobs = threading.Event(), {}
    threads = [threading.Thread(target=work, daemon=True,
                                args=(operator, n, bench.data_set_id, filters, jobs, stop))
               for n, operator in enumerate(operators)]  # fmt: skip
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(JOBS_AT)
    runner = threading.Thread(target=run_jobs, args=(bench, jobs, started), daemon=True)
    runner.start()
    time.sleep(max(0.0, SECONDS - (time.monotonic() - started)))
    stop.set()
    for thread in threads:
        thread.join(330)
    window = time.monotonic() - started
    at_end = {"populate_at_window_end": bench.job_status(jobs["populate_id"])}
    if "apply_id" in jobs:
        at_end["apply_at_window_end"] = bench.job_status(jobs["apply_id"])
    runner.join(2 * JOBS_WAIT)
    return {"recorder": recorder, "window": window, "jobs": jobs, "at_end": at_end}


def report(base: dict[str, Any], site: Site, bench: LoadBench, measured: dict[str, Any]) -> None:
    recorder: Recorder = measured["recorder"]
    emit({**base, "phase": "clients", "kind": "all", "window_s": round(measured["window"], 1),
          **recorder.summary(set(EXPECTED)),
          "by_process": dict(sorted(Operator.upstreams.items()))})  # fmt: skip
    for kind in EXPECTED:
        emit({**base, "phase": "clients", "kind": kind, **recorder.summary({kind})})
    jobs = measured["jobs"]
    record = {**base, "phase": "jobs", **measured["at_end"]}
    for name in ("populate", "apply"):
        if f"{name}_id" in jobs:
            times = bench.job_times(jobs[f"{name}_id"])
            record.update({name: jobs.get(name), f"{name}_job_s": times["seconds"],
                           f"{name}_done_at_s": jobs.get(f"{name}_done_s")})  # fmt: skip
    emit({**record, "statuses": jobs.get("statuses")})
    counts: dict[str, Any] = {}
    for log in sorted(site.folder.glob("*.log")):
        if "access" in log.name:
            continue  # a line per request, whatever its outcome
        text = log.read_text(encoding="utf-8", errors="replace")
        for key, needle in LOG_LINES.items():
            if key.startswith("nginx") != log.name.startswith("nginx"):
                continue
            if found := text.count(needle):
                counts[f"{log.stem}_{key}"] = found
        if (start := text.find(LOG_LINES["tracebacks"])) >= 0:
            # What the first traceback ends with: the error, for a reader to follow up.
            lines = text[start:].splitlines()
            end = next((n for n, line in enumerate(lines[1:], 1) if not line[:1].isspace()), 0)
            counts[f"{log.stem}_first_error"] = lines[end] if end else lines[-1]
    emit({**base, "phase": "logs", **counts})


def make_data(url: str) -> int:
    """A database at the newest schema with the user "bench" owning ROWS products."""
    from alembic import command

    from poser.models.db_management import alembic_config

    command.upgrade(alembic_config({"sqlalchemy.url": url}), "head")
    return prepare({"sqlalchemy.url": url}, ROWS, PASSWORD)


def main() -> None:
    if DB not in ("sqlite", "postgresql") or PROCESSES not in (1, 2):
        sys.exit("BENCH_LOAD_DB is sqlite or postgresql; BENCH_LOAD_PROCESSES is 1 or 2")
    if DB == "postgresql" and not os.environ.get("POSER_BENCH_DATABASE_URL"):
        sys.exit("BENCH_LOAD_DB=postgresql needs POSER_BENCH_DATABASE_URL (the server)")
    processes = PROCESSES if DB == "postgresql" and NGINX else 1
    base = {"bench": "load", "database": DB, "processes": processes, "nginx": NGINX,
            "users": USERS, "seconds": SECONDS, "rows": ROWS, "think": THINK}  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        started = time.perf_counter()
        with cached_database(DB, folder, f"load-{ROWS}", make_data) as (url, data_set_id):
            postgres = DB == "postgresql"
            generated = time.perf_counter()
            with deployed(folder, database_url=url, web_processes=processes, nginx=NGINX,
                          redis_url=REDIS_URL if postgres else None,
                          s3=postgres) as site:  # fmt: skip
                bench = LoadBench(site, data_set_id)
                try:
                    bench.add_catalog(ROWS)
                    ready = time.perf_counter()
                    emit({**base, "phase": "setup", "scheme": site.base.split(":")[0],
                          "data_s": round(generated - started, 1),
                          "site_and_catalog_s": round(ready - generated, 1)})  # fmt: skip
                    measured = drive(site, bench)
                    report(base, site, bench, measured)
                finally:
                    bench.close()


if __name__ == "__main__":
    try:
        main()
    except UnavailableError as missing:
        sys.exit(f"bench_load: {missing}")
