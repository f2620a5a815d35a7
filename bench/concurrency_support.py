"""What bench_concurrency.py builds and runs: the data, the app's processes, and the
timing of every write transaction inside them."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.support import PASSWORD, free_port, prepare

SCRIPT = Path(__file__).resolve().parent / "bench_concurrency.py"
#: Statements that do not take SQLite's write lock.
READS = ("SELECT", "PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "WITH")


def install_lock_timing(path: Path) -> None:
    """Time each write transaction of this process, on every engine: from the first
    statement that writes (its start; it succeeded, so it held the lock) or from BEGIN
    IMMEDIATE returning, to the commit or rollback. One JSON line each, to ``path``."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    out = path.open("a", encoding="utf-8", buffering=1)
    lock = threading.Lock()

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["bench.statement_start"] = time.time()

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "bench.lock_since" in conn.info:
            return
        head = statement.lstrip()[:20].upper()
        if head.startswith("BEGIN IMMEDIATE"):
            conn.info["bench.lock_since"] = (time.time(), "BEGIN IMMEDIATE")
        elif not head.startswith(READS):
            since = conn.info.get("bench.statement_start", time.time())
            conn.info["bench.lock_since"] = (since, " ".join(statement.split())[:60])

    def _end(conn: Any) -> None:
        held = conn.info.pop("bench.lock_since", None)
        if held is not None:
            line = {"start": held[0], "seconds": time.time() - held[0], "first": held[1]}
            with lock:
                out.write(json.dumps(line) + "\n")

    event.listen(Engine, "commit", _end)
    event.listen(Engine, "rollback", _end)


def lock_holds(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


class AppProcess:
    """`python -m MODULE ARGS` with its write transactions timed; output to a file."""

    def __init__(self, folder: Path, name: str, command: list[str]) -> None:
        self.command = command
        self.log = folder / f"{name}.out"
        self.lock_log = folder / f"{name}-locks.jsonl"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, env: dict[str, str]) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(SCRIPT), "--timed", str(self.lock_log), *self.command],
                cwd=self.log.parent,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def check(self) -> None:
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"{self.command[0]} stopped:\n{self.output()[-3000:]}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


class Bench:
    """The app dir, ini, database and data of one run, and the jobs it submits."""

    def __init__(self, folder: Path, root: Path) -> None:
        self.folder, self.root = folder, root
        self.ini = folder / "bench.ini"
        self.base_url = f"http://127.0.0.1:{free_port()}"
        env = {key: value for key, value in os.environ.items() if not key.startswith("POSER_")}
        # Development, so the session cookie may travel over plain HTTP; production.ini's
        # other settings (threads, logging, no tracebacks) stay.
        env.update(PYTHONPATH=str(root), POSER_ENVIRONMENT="development",
                   POSER_SESSION_SECURE="false",
                   POSER_SESSION_SECRET=secrets.token_urlsafe(48))  # fmt: skip
        self.env = env
        self.client_names: list[str] = []

    def build(self, products: int, rows: int, clients: int) -> dict[str, Any]:
        import plaster
        from alembic import command

        from bench.bench_catalog import _make_batch, write_catalog
        from poser.models.db_management import alembic_config
        from poser.models.engine import get_engine, get_session_factory
        from poser.utils.appdir import make_appdir
        from poser.utils.settings import prepare_settings

        make_appdir(self.folder / "app")
        text = (self.root / "production.ini").read_text(encoding="utf-8")
        port = self.base_url.rsplit(":", 1)[1]
        text = re.sub(r"(?m)^listen = .*$", f"listen = 127.0.0.1:{port}", text)
        self.ini.write_text(text, encoding="utf-8")
        raw = plaster.get_loader(str(self.ini), protocols=["wsgi"]).get_settings("app:main")
        self.settings = prepare_settings(raw, here=self.folder, environ=self.env)
        command.upgrade(alembic_config(self.settings), "head")

        started = time.perf_counter()
        self.data_set_id = prepare(self.settings, products, PASSWORD)
        self.engine = get_engine(self.settings)
        self.factory = get_session_factory(self.engine)
        self._add_clients(clients)
        generated = time.perf_counter()
        path = self.folder / "catalog.csv"
        vendor = write_catalog(self.settings, self.data_set_id, path, rows)
        self.batch_id = _make_batch(self.settings, self.data_set_id, path, vendor)
        return {"generate_s": round(generated - started, 1),
                "catalog_s": round(time.perf_counter() - generated, 1)}  # fmt: skip

    def _add_clients(self, clients: int) -> None:
        from sqlalchemy import select

        from poser.models.engine import write_transaction
        from poser.models.orm import DataSet, User
        from poser.tasks.datasets import set_member
        from poser.utils.passwords import hash_password

        digest = hash_password(PASSWORD)  # once: a hash per user would take minutes
        with write_transaction(self.factory) as session:
            data_set = session.get_one(DataSet, self.data_set_id)
            self.owner_id = session.scalar(select(User.id).where(User.username == "bench"))
            for number in range(1, clients + 1):
                user = User(username=f"client{number:02d}", password_hash=digest)
                session.add(user)
                session.flush()
                set_member(data_set, user, "editor")
                self.client_names.append(user.username)

    def submit(self, kind: str, **parameters: Any) -> int:
        from poser.entry_points.queues import make_queue
        from poser.models.engine import write_transaction
        from poser.models.orm import DataSet
        from poser.tasks import job_kinds, jobs

        # A tree of an older commit (the benchmark measures any) loads its job modules
        # from a list in the worker's module and submits a job by its kind's name.
        try:
            from poser.entry_points.plugins import load_tasks
        except ImportError:
            from poser.entry_points.worker import load_job_modules as load_tasks  # type: ignore
        load_tasks(self.settings)
        task: Any = job_kinds.get_kind(kind) if hasattr(job_kinds, "kind_of") else kind
        with write_transaction(self.factory) as session:
            data_set = session.get_one(DataSet, self.data_set_id)
            queue = make_queue(self.settings)
            return jobs.submit(session, queue, task, data_set=data_set, parameters=parameters).id

    def populate(self) -> dict[str, Any]:
        """The batch read by the worker, its rows in error (if any) acknowledged."""
        from poser.models.engine import write_transaction
        from poser.models.orm import Batch
        from poser.tasks.batches import get_handler

        started = time.perf_counter()
        job_id = self.submit("batches.populate", batch_id=self.batch_id)
        if self.wait_for_job(job_id, timeout=3600) != "succeeded":
            raise RuntimeError(f"the catalog could not be read: job {job_id}")
        with write_transaction(self.factory) as session:
            batch = session.get_one(Batch, self.batch_id)
            if batch.status_counts.get("error"):
                get_handler(batch.batch_type).acknowledge(batch, None)
            counts = dict(batch.status_counts)
        return {"populate_s": round(time.perf_counter() - started, 1), "statuses": counts}

    def submit_apply(self) -> int:
        """The apply, as its page asks for it: naming the batch's version when the job
        kind takes one (it is applied only as the operator saw it)."""
        import inspect

        from poser.models.orm import Batch
        from poser.tasks.job_kinds import get_kind

        parameters = {"batch_id": self.batch_id, "user_id": self.owner_id}
        accepted = inspect.signature(get_kind("batches.execute").function).parameters
        if "batch_version" in accepted:
            with self.factory() as session:
                parameters["batch_version"] = session.get_one(Batch, self.batch_id).version
        return self.submit("batches.execute", **parameters)

    def job_status(self, job_id: int) -> str:
        from poser.models.orm import Job

        with self.factory() as session:
            return session.get_one(Job, job_id).status

    def wait_for_job(self, job_id: int, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        status = self.job_status(job_id)
        while status in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.5)
            status = self.job_status(job_id)
        return status

    def job_times(self, job_id: int) -> dict[str, Any]:
        from poser.models.orm import Job

        with self.factory() as session:
            job = session.get_one(Job, job_id)
            seconds = None
            if job.started_at and job.finished_at:
                seconds = round((job.finished_at - job.started_at).total_seconds(), 1)
            return {"seconds": seconds, "attempts": job.attempts}

    def wait_for_worker(self, worker: AppProcess, timeout: float = 120) -> None:
        from poser.entry_points.queues import make_queue

        queue = make_queue(self.settings)
        deadline = time.monotonic() + timeout
        while queue.last_heartbeat() is None:
            worker.check()
            if time.monotonic() > deadline:
                raise RuntimeError("the worker did not start")
            time.sleep(0.2)

    def wait_for_server(self, server: AppProcess, timeout: float = 120) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while True:
            server.check()
            try:
                if requests.get(self.base_url + "/login", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the web app did not start")
            time.sleep(0.2)

    def app_log(self) -> str:
        path = self.folder / "app" / "log" / "poser.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def close(self) -> None:
        if hasattr(self, "engine"):
            self.engine.dispose()
