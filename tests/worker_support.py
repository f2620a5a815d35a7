"""Real worker processes for tests: `python -m poser -c INI worker` in a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("POSER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_reachable(url: str = REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def write_ini(folder: Path, settings: dict[str, Any]) -> Path:
    """An ini whose [app:main] holds exactly these settings (paths already absolute)."""
    lines = ["[app:main]", "use = egg:poser"]
    for key, value in settings.items():
        text = str(value).replace("%", "%%")
        lines.append(f"{key} = {text}")
    ini = folder / f"worker-{uuid.uuid4().hex[:6]}.ini"
    ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ini


class WorkerProcess:
    def __init__(self, ini: Path, log: Path, *args: str) -> None:
        self.log = log
        self._log_file = log.open("ab")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("POSER_CONFIG", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "poser", "-c", str(ini), "worker", *args],
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill9(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log_file.close()

    def terminate(self, timeout: float = 20) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self._log_file.close()
        return code

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log_file.close()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_workers(
    ini: Path, folder: Path, count: int = 1, *args: str
) -> Iterator[list[WorkerProcess]]:
    workers = [WorkerProcess(ini, folder / f"worker-{n}.log", *args) for n in range(count)]
    try:
        yield workers
    finally:
        for worker in workers:
            worker.stop()


def wait_for(
    condition: Callable[[], Any], timeout: float = 30, what: str | Callable[[], str] = "condition"
) -> Any:
    """Poll until ``condition()`` is truthy; a bound on waiting, not a speed assertion.

    ``what`` may be a callable, so the failure shows the state at the timeout.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(
        f"timed out after {timeout}s waiting for {what() if callable(what) else what}"
    )


def unique_queue_name() -> str:
    return f"poser-test-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
