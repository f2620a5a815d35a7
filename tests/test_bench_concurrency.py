"""The concurrency benchmark runs end to end at a tiny size, where its figures mean
nothing but every part works: the app and a worker in processes of their own, clients
writing, the apply, the timing of write transactions, and every JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def test_the_concurrency_bench_runs_at_a_tiny_size_without_an_error(tmp_path: Path) -> None:
    if os.environ.get("POSER_TEST_DATABASE_URL"):
        pytest.skip("the benchmark measures SQLite, whatever database the suite runs on")
    script = ROOT / "bench" / "bench_concurrency.py"
    tiny = ["--products", "300", "--clients", "2", "--seconds", "4", "--apply-at", "1"]
    env = {key: value for key, value in os.environ.items() if not key.startswith("POSER_")}
    run = subprocess.run(
        [sys.executable, str(script), *tiny, "--keep", str(tmp_path / "run")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    by_phase = {(line["phase"], line.get("kind")): line for line in lines}
    writes = by_phase["clients", "writes"]
    assert writes["requests"] > 0
    assert writes["errors"] == {}, writes
    assert set(by_phase) >= {("setup", None), ("clients", "all"), ("clients", "progress")}
    applied = by_phase["apply", None]
    assert applied["status"] == "succeeded"
    assert applied["lock_held_s"] > 0
    assert applied["web_lock_holds"] > 0
    logs = by_phase["logs", None]
    locked = {"web_busy_503", "worker_database_is_locked", "worker_heartbeat_failed"}
    assert not locked & set(logs), logs
