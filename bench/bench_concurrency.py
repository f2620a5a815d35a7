"""Benchmark: web writes while a vendor catalog applies, on SQLite.

    .venv/bin/python bench/bench_concurrency.py
    .venv/bin/python bench/bench_concurrency.py --products 2000 --clients 5 --seconds 10

A data set of --products generated products and a catalog of --rows rows (default as
many) for one vendor, read into a batch by a real worker. Then the real app (pserve with
production.ini's settings, over plain HTTP so the session cookie is not HTTPS-only, on a
file app dir and SQLite) and a real worker run in processes of their own, and --clients
clients (threads of this process, each with its own HTTP session) write for --seconds:
in turn, a login (the form, the post, the home page it leads to), a parameter save and a
grid edit of the client's own products, --think seconds apart. --apply-at seconds in,
the batch's apply is submitted as a job; one more client polls the job's progress as its
page does (reads, reported apart).

Both app processes time every write transaction (from the statement that took SQLite's
write lock, or BEGIN IMMEDIATE returning, to its commit or rollback), which gives how
long the apply held the lock. One JSON line per measurement: requests, errors by status,
p50/p95/p99 latency per kind and in all; the apply's outcome and lock hold; and the log
lines that say the database was locked or busy.
"""

from __future__ import annotations

import argparse
import json
import re
import runpy
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from bench.concurrency_support import AppProcess, Bench, install_lock_timing, lock_holds  # noqa: E402
from bench.support import PASSWORD, percentile  # noqa: E402

LOCKED_LINES = {
    "database_is_locked": "database is locked",
    "busy_503": "answered 503",
    "heartbeat_failed": "heartbeat failed",
    "tracebacks": "Traceback (most recent call last)",
}
EXPECTED = {"login_page": 200, "login": 303, "home": 200, "parameter_save": 303,
            "grid_edit": 303, "progress": 200}  # fmt: skip


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=200_000)
    parser.add_argument("--rows", type=int, help="catalog rows (default: --products)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--apply-at", type=float, default=5.0, help="seconds into the run")
    parser.add_argument("--think", type=float, default=0.0, help="seconds between actions")
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it (logs)")
    return parser.parse_args(argv)


class Recorder:
    """Every request's kind, status (or exception name) and seconds, from all threads;
    a status other than ``expected`` names for its kind is an error."""

    def __init__(self, expected: dict[str, int] | None = None) -> None:
        self.expected = expected or EXPECTED
        self.lock = threading.Lock()
        self.records: list[tuple[str, str, float]] = []

    def add(self, kind: str, status: str, seconds: float) -> None:
        with self.lock:
            self.records.append((kind, status, seconds))

    def summary(self, kinds: set[str]) -> dict[str, Any]:
        with self.lock:
            chosen = [r for r in self.records if r[0] in kinds]
        times = [seconds for _, _, seconds in chosen]
        errors = Counter(status for kind, status, _ in chosen if status != str(self.expected[kind]))
        if not times:
            return {"requests": 0, "errors": {}}
        return {
            "requests": len(chosen),
            "errors": dict(sorted(errors.items())),
            "p50_ms": round(percentile(times, 0.5) * 1000),
            "p95_ms": round(percentile(times, 0.95) * 1000),
            "p99_ms": round(percentile(times, 0.99) * 1000),
            "max_ms": round(max(times) * 1000),
        }


class Client:
    """One operator's browser: its own cookies, its CSRF token, its own products."""

    def __init__(self, base: str, username: str, address: str, recorder: Recorder) -> None:
        import requests

        self.requests = requests
        self.base, self.username, self.recorder = base, username, recorder
        self.http = requests.Session()
        # Each operator's own address, as the reverse proxy (production.ini trusts the
        # one on 127.0.0.1) says: login throttling counts by address.
        self.http.headers["X-Forwarded-For"] = address
        self.logged_out = False
        self.token = ""
        self.prices: dict[str, str] = {}  # product id -> the price the grid showed

    def call(self, kind: str, method: str, path: str, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            response = self.http.request(
                method, self.base + path, allow_redirects=False, timeout=(10, 300), **kwargs
            )
            status = str(response.status_code)
            self.logged_out = self.logged_out or response.status_code == 401
        except self.requests.RequestException as error:
            response, status = None, type(error).__name__
        self.recorder.add(kind, status, time.perf_counter() - started)
        return response

    def _token(self, response: Any) -> None:
        found = re.search(r'name="csrf_token" value="([^"]+)"', response.text if response else "")
        if found:
            self.token = found.group(1)

    def login(self) -> bool:
        """A fresh browser session: the login page, the form's post, the home page."""
        self.http.cookies.clear()
        self.logged_out = False
        self._token(self.call("login_page", "GET", "/login"))
        form = {"_charset_": "UTF-8", "__formid__": "deform", "csrf_token": self.token,
                "username": self.username, "password": PASSWORD, "next": "",
                "submit": "submit"}  # fmt: skip
        done = self.call("login", "POST", "/login", data=form)
        if done is None or done.status_code != 303:
            return False
        self._token(self.call("home", "GET", "/"))
        return True

    def pick_products(self, data_set_id: int, page: int) -> None:
        """The grid page that is this client's alone: the products it edits."""
        url = f"/apps/products/data-sets/{data_set_id}/steps/catalog"
        response = self.http.get(self.base + url, params={"products.size": 10,
                                 "products.page": page}, timeout=300)  # fmt: skip
        self._token(response)
        pattern = r'name="products\.was\.regular_price\.(\d+)" value="([^"]*)"'
        self.prices = dict(re.findall(pattern, response.text))
        if not self.prices:
            raise RuntimeError(f"no editable products on {url} page {page}")

    def save_parameter(self, data_set_id: int, value: str) -> None:
        url = f"/apps/products/data-sets/{data_set_id}/steps/margins/pricing/save"
        form = {"_charset_": "UTF-8", "__formid__": "parameters-pricing",
                "csrf_token": self.token, "target_margin": value, "save": "save"}  # fmt: skip
        self.call("parameter_save", "POST", url, data=form)

    def edit_grid(self, data_set_id: int, number: int) -> None:
        url = f"/apps/products/data-sets/{data_set_id}/steps/catalog/products/edit"
        product = sorted(self.prices)[number % len(self.prices)]
        was = self.prices[product]
        new = f"{1 + number % 400 / 100:.2f}"
        if new == was:
            new = f"{float(new) + 5:.2f}"
        form = {"csrf_token": self.token, f"products.was.regular_price.{product}": was,
                f"products.edit.regular_price.{product}": new}  # fmt: skip
        response = self.call("grid_edit", "POST", url, params={"products.size": 10}, data=form)
        if response is not None and response.status_code == 303:
            self.prices[product] = new


def run_client(client: Client, data_set_id: int, offset: int, stop: threading.Event,
               think: float) -> None:  # fmt: skip
    number = offset
    while not stop.is_set():
        action = 2 if client.logged_out else number % 3
        if action == 0:
            client.save_parameter(data_set_id, f"{20 + number % 50}.{offset % 100:02d}")
        elif action == 1:
            client.edit_grid(data_set_id, number)
        else:
            client.login()
        number += 1
        if think:
            stop.wait(think)


def poll_progress(client: Client, job_id: int, stop: threading.Event) -> None:
    """What the job's page does while the job runs: its progress fragment, twice a second."""
    while not stop.is_set():
        client.call("progress", "GET", f"/jobs/{job_id}/progress",
                    headers={"HX-Request": "true"})  # fmt: skip
        stop.wait(0.5)


def main(argv: list[str] | None = None) -> None:
    args = options(argv)
    rows = args.rows or args.products
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        bench = Bench(folder, ROOT)
        base = {"bench": "concurrency", "database": "sqlite", "products": args.products,
                "rows": rows, "clients": args.clients, "seconds": args.seconds,
                "think": args.think}  # fmt: skip
        setup = bench.build(args.products, rows, args.clients)
        worker = AppProcess(folder, "worker", ["poser", "-c", str(bench.ini), "worker"])
        server = AppProcess(folder, "web", ["pyramid.scripts.pserve", str(bench.ini)])
        try:
            worker.start(bench.env)
            bench.wait_for_worker(worker)
            setup.update(bench.populate())
            emit({**base, "phase": "setup", **setup})
            server.start(bench.env)
            bench.wait_for_server(server)
            measured = drive(bench, args)
        finally:
            server.stop()
            worker.stop()
        try:
            report(base, bench, measured, server, worker)
        finally:
            bench.close()


def drive(bench: Any, args: argparse.Namespace) -> dict[str, Any]:
    recorder = Recorder()
    clients = [
        Client(bench.base_url, name, f"10.0.{n // 200}.{n % 200 + 1}", recorder)
        for n, name in enumerate(bench.client_names)
    ]

    def ready(page: int) -> None:
        # Before the measured window: a login refused (busy) is tried again.
        for _ in range(30):
            if clients[page - 1].login():
                break
            time.sleep(1)
        clients[page - 1].pick_products(bench.data_set_id, page)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(ready, range(1, len(clients) + 1)))
    owner = Client(bench.base_url, "bench", "10.1.0.1", recorder)
    owner.login()
    recorder.records.clear()  # the window starts now

    stop = threading.Event()
    threads = [
        threading.Thread(
            target=run_client, args=(client, bench.data_set_id, n, stop, args.think), daemon=True
        )
        for n, client in enumerate(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, args.apply_at))
    job_id = bench.submit_apply()
    applied_at = time.monotonic() - started
    applied_wall = time.time()  # the clock the lock timings use
    reader = threading.Thread(target=poll_progress, args=(owner, job_id, stop), daemon=True)
    reader.start()
    finished_at = None
    while time.monotonic() - started < args.seconds:
        if finished_at is None and bench.job_status(job_id) in ("succeeded", "failed"):
            finished_at = time.monotonic() - started
        time.sleep(0.25)
    stop.set()
    for thread in [*threads, reader]:
        thread.join(330)
    window = time.monotonic() - started
    status = bench.wait_for_job(job_id, timeout=3600)
    return {"recorder": recorder, "job_id": job_id, "job_status": status, "window": window,
            "applied_at": applied_at, "applied_wall": applied_wall,
            "finished_at": finished_at}  # fmt: skip


def report(base: dict[str, Any], bench: Any, measured: dict[str, Any], server: AppProcess,
           worker: AppProcess) -> None:  # fmt: skip
    recorder: Recorder = measured["recorder"]
    writes = {"login", "parameter_save", "grid_edit"}
    every = writes | {"login_page", "home"}
    emit({**base, "phase": "clients", "kind": "all", "window_s": round(measured["window"], 1),
          **recorder.summary(every)})  # fmt: skip
    emit({**base, "phase": "clients", "kind": "writes", **recorder.summary(writes)})
    for kind in ("login", "parameter_save", "grid_edit", "login_page", "home", "progress"):
        emit({**base, "phase": "clients", "kind": kind, **recorder.summary({kind})})
    job = bench.job_times(measured["job_id"])
    # The worker's write transactions from the apply's submission on (the apply, and
    # what follows it), and before it (reading the catalog: populate).
    holds = sorted(lock_holds(worker.lock_log), key=lambda hold: -hold["seconds"])
    worker_holds = [hold for hold in holds if hold["start"] >= measured["applied_wall"]]
    populate = next((hold for hold in holds if hold not in worker_holds), None)
    longest = worker_holds[0] if worker_holds else None
    web = [hold["seconds"] for hold in lock_holds(server.lock_log)]
    emit({**base, "phase": "apply", "status": measured["job_status"],
          "submitted_at_s": round(measured["applied_at"], 1),
          "done_at_s": None if measured["finished_at"] is None
          else round(measured["finished_at"], 1),
          "job_seconds": job["seconds"], "attempts": job["attempts"],
          "lock_held_s": round(longest["seconds"], 2) if longest else None,
          "lock_first_statement": longest["first"] if longest else None,
          "worker_next_longest": [(round(hold["seconds"], 2), hold["first"][:40])
                                  for hold in worker_holds[1:3]],
          "populate_lock_held_s": round(populate["seconds"], 2) if populate else None,
          "web_lock_holds": len(web),
          "web_lock_p99_ms": round(percentile(web, 0.99) * 1000) if web else None,
          "web_lock_max_ms": round(max(web) * 1000) if web else None})  # fmt: skip
    # The web app logs to its file and to the console alike: the file is counted.
    logs = {"web": bench.app_log(), "worker": worker.output()}
    counts = {f"{where}_{key}": text.count(needle) for where, text in logs.items()
              for key, needle in LOCKED_LINES.items()}  # fmt: skip
    emit({**base, "phase": "logs", **{key: value for key, value in counts.items() if value}})


if __name__ == "__main__":
    if sys.argv[1:2] == ["--timed"]:
        # A process of the app, with its write transactions timed: --timed LOG MODULE ARGS.
        log_path, module, *arguments = sys.argv[2:]
        install_lock_timing(Path(log_path))
        sys.argv = [module, *arguments]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    else:
        main()
