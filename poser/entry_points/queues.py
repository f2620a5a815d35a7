"""The queue: huey (SqliteHuey in the app dir, or RedisHuey), and the one task that runs
a Job by id. Tasks never import huey; they get a JobQueue built here.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from huey import RedisHuey, SqliteHuey
from huey.api import Huey
from huey.constants import EmptyData

from poser.utils.settings import setting_int
from poser.utils.timeutil import utcnow

log = logging.getLogger(__name__)

RUN_JOB_TASK = "poser.run_job"
RUN_PERIODIC_TASK = "poser.run_periodic"
HEARTBEAT_KEY = "workers:heartbeat"


def make_huey(settings: Mapping[str, Any]) -> Huey:
    """RedisHuey when ``poser.queue.url`` is a redis:// URL, else SqliteHuey in the app dir."""
    url = str(settings.get("poser.queue.url") or "").strip()
    name = str(settings.get("poser.queue.name") or "poser")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    if url:
        raise ValueError(f"poser.queue.url must be a redis:// URL or empty, not {url!r}")
    filename = Path(str(settings["poser.appdir"])) / "data" / "queue.sqlite"
    # The queue's own SQLite file: live progress never waits on the main database.
    return SqliteHuey(name, filename=str(filename), results=False, timeout=10)


class HueyKeyValue:
    """tasks.job_progress.KeyValueStore over huey's storage (its SQLite file or Redis)."""

    def __init__(self, huey: Huey) -> None:
        self.storage = huey.storage

    def put(self, key: str, value: bytes) -> None:
        self.storage.put_data(key, value)

    def get(self, key: str) -> bytes | None:
        value = self.storage.peek_data(key)
        return None if value is EmptyData else bytes(value)

    def delete(self, key: str) -> None:
        self.storage.delete_data(key)


class HueyJobQueue:
    """tasks.jobs.JobQueue: enqueue a job id for the worker; progress in huey's store."""

    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self.store = HueyKeyValue(huey)
        # Registered by name: the web only enqueues, the worker's runtime executes.
        self.run_job = huey.task(name=RUN_JOB_TASK, retries=0)(_run_job)
        self.run_periodic = huey.task(name=RUN_PERIODIC_TASK, retries=0)(_run_periodic)

    def enqueue(self, job_id: int) -> None:
        self.run_job(job_id)

    def pending(self) -> int:
        return int(self.huey.pending_count())

    def last_heartbeat(self) -> dict[str, Any] | None:
        raw = self.store.get(HEARTBEAT_KEY)
        return json.loads(raw) if raw else None

    def status(self) -> dict[str, Any]:
        """For /healthz: reachable, pending count, the last worker heartbeat."""
        try:
            pending = self.pending()
            heartbeat = self.last_heartbeat()
        except Exception as exc:  # any backend error means "unreachable" to a health check
            log.error("health: queue check failed: %s", exc)
            return {"ok": False, "error": "queue unreachable"}
        age = None
        if heartbeat:
            age = round(time.time() - float(heartbeat["ts"]), 1)
        return {
            "ok": True,
            "pending": pending,
            "last_heartbeat": heartbeat.get("at") if heartbeat else None,
            "heartbeat_age_seconds": age,
        }


def make_queue(settings: Mapping[str, Any]) -> HueyJobQueue:
    return HueyJobQueue(make_huey(settings))


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def worker_is_alive(worker_id: str, store: HueyKeyValue, stale_after: float) -> bool:
    """A worker lives if its heartbeat is fresh, and (on this host) its process exists."""
    host, _, rest = worker_id.partition(":")
    pid_text = rest.partition(":")[0]
    if host == socket.gethostname() and pid_text.isdigit():
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # exists, owned by someone else
    raw = store.get(f"worker:{worker_id}:heartbeat")
    return raw is not None and time.time() - float(json.loads(raw)["ts"]) < stale_after


def write_heartbeat(store: HueyKeyValue, worker_id: str) -> None:
    beat = json.dumps({"worker": worker_id, "at": utcnow().isoformat(), "ts": time.time()})
    store.put(f"worker:{worker_id}:heartbeat", beat.encode())
    store.put(HEARTBEAT_KEY, beat.encode())


def heartbeat_interval(settings: Mapping[str, Any]) -> int:
    return setting_int(settings, "poser.queue.heartbeat_seconds", 5)


# The worker process sets this before its consumer starts (see worker.py); the web
# process never runs these functions, it only enqueues them by name.
RUNTIME: dict[str, Any] = {}


def _run_job(job_id: int) -> None:
    RUNTIME["run_job"](job_id)


def _run_periodic(name: str, scheduled_for: str) -> None:
    RUNTIME["run_periodic"](name, scheduled_for)
