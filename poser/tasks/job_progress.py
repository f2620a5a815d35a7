"""Live job progress, kept in the queue's key-value store rather than the database.

A long SQLite write holds the database's one write lock; progress written there would
wait for it. The queue's store (huey's SQLite file or Redis) is separate, so the page
that polls progress never waits for the job.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from poser.utils.progress import percent
from poser.utils.timeutil import utcnow

LOG_LINES_KEPT = 200


class KeyValueStore(Protocol):
    def put(self, key: str, value: bytes) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def delete(self, key: str) -> None: ...


class JobCancelled(Exception):  # noqa: N818 - it is a signal, not an error
    """Raised inside a task at its next progress call after someone asked to cancel."""


class WorkerStopping(Exception):  # noqa: N818
    """Raised inside a task at its next progress call when its worker is shutting down."""


def progress_key(job_id: int) -> str:
    return f"job:{job_id}:progress"


def log_key(job_id: int) -> str:
    return f"job:{job_id}:log"


def cancel_key(job_id: int) -> str:
    return f"job:{job_id}:cancel"


def clear_progress(store: KeyValueStore, job_id: int) -> None:
    for key in (progress_key(job_id), log_key(job_id), cancel_key(job_id)):
        store.delete(key)


def _load(store: KeyValueStore, key: str, default: Any) -> Any:
    raw = store.get(key)
    if raw is None:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        return default


def read_progress(store: KeyValueStore, job_id: int) -> dict[str, Any]:
    """What a page or the CLI shows: percent (or None), message, the last log lines."""
    state = _load(store, progress_key(job_id), {})
    return {
        "percent": state.get("percent"),
        "done": state.get("done"),
        "total": state.get("total"),
        "message": state.get("message") or "",
        "updated": state.get("updated"),
        "log": _load(store, log_key(job_id), []),
        "cancel_requested": store.get(cancel_key(job_id)) is not None,
    }


class JobProgress:
    """The Progress a job's task gets. Writes are throttled; cancel is checked here."""

    def __init__(
        self,
        store: KeyValueStore,
        job_id: int,
        should_stop: Callable[[], bool] = lambda: False,
        min_interval: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.job_id = job_id
        self.should_stop = should_stop
        self.min_interval = min_interval
        self.clock = clock
        self._last_write = float("-inf")
        self._last_check = float("-inf")
        self._lines: deque[str] = deque(_load(store, log_key(job_id), []), maxlen=LOG_LINES_KEPT)
        self._state: dict[str, Any] = {}

    def update(self, done: float, total: float | None = None, message: str | None = None) -> None:
        now = self.clock()
        self._state = {
            "done": done,
            "total": total,
            "percent": percent(done, total),
            "message": message if message is not None else self._state.get("message", ""),
        }
        finished = total is not None and done >= total
        if finished or now - self._last_write >= self.min_interval:
            self._write_state(now)
        self.check(now)

    def log(self, line: str) -> None:
        self.note(line)
        self.check(self.clock())

    def note(self, line: str) -> None:
        """Add a log line without checking for cancel: for the runner's own notes."""
        stamp = utcnow().strftime("%H:%M:%S")
        self._lines.append(f"{stamp} {line}")
        self.store.put(log_key(self.job_id), json.dumps(list(self._lines)).encode())

    def check(self, now: float | None = None) -> None:
        """Raise if the job should stop; reads the cancel flag at most every interval."""
        now = self.clock() if now is None else now
        if self.should_stop():
            raise WorkerStopping()
        if now - self._last_check < self.min_interval:
            return
        self._last_check = now
        if self.store.get(cancel_key(self.job_id)) is not None:
            raise JobCancelled()

    def flush(self) -> None:
        if self._state:
            self._write_state(self.clock())

    def _write_state(self, now: float) -> None:
        self._last_write = now
        payload = {**self._state, "updated": utcnow().isoformat()}
        self.store.put(progress_key(self.job_id), json.dumps(payload).encode())
