"""A starting worker says one true thing about periodic jobs, and huey's own start-up
lines, about a scheduler the worker does not use, are left out."""

from __future__ import annotations

import logging
import signal
from typing import Any

from huey import MemoryHuey
from huey.consumer import Consumer

from poser.entry_points.worker import _not_huey_startup, _not_huey_task_line, startup_message


def test_a_worker_that_schedules_names_the_periodic_jobs() -> None:
    message = startup_message("host:1:ab", 2, "SqliteHuey", ["purge_work", "purge_uploads"])
    assert message == (
        "worker host:1:ab runs jobs from the queue (SqliteHuey) on 2 threads; "
        "it also schedules the periodic jobs: purge_work, purge_uploads"
    )


def test_a_worker_that_does_not_schedule_says_who_does() -> None:
    message = startup_message("host:1:ab", 4, "RedisHuey", False)
    assert message.endswith("on 4 threads; it schedules no periodic jobs (`poser scheduler` does)")


def test_a_worker_with_every_periodic_job_turned_off_says_so() -> None:
    message = startup_message("host:1:ab", 1, "SqliteHuey", [])
    assert message.endswith("it would schedule the periodic jobs, but the settings turn each off")


def test_hueys_start_up_lines_are_left_out_and_its_other_lines_kept(caplog: Any) -> None:
    handlers = {
        sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    consumer = Consumer(MemoryHuey(), workers=1, worker_type="thread", periodic=False)
    logger = logging.getLogger("huey.consumer")
    logger.addFilter(_not_huey_startup)
    try:
        with caplog.at_level(logging.INFO, logger="huey.consumer"):
            consumer.start()
            consumer.stop(graceful=True)
    finally:
        logger.removeFilter(_not_huey_startup)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    said = [record.getMessage() for record in caplog.records if record.name == "huey.consumer"]
    assert said == ["Shutting down gracefully...", "All workers have stopped."]


def test_hueys_lines_around_each_task_are_left_out(caplog: Any) -> None:
    huey = MemoryHuey(immediate=True)

    @huey.task()
    def add(a: int, b: int) -> int:
        return a + b

    logger = logging.getLogger("huey")
    logger.addFilter(_not_huey_task_line)
    try:
        with caplog.at_level(logging.INFO, logger="huey"):
            assert add(1, 2)() == 3
    finally:
        logger.removeFilter(_not_huey_task_line)
    assert [r.getMessage() for r in caplog.records if r.name == "huey"] == []
    with caplog.at_level(logging.INFO, logger="huey"):
        add(1, 2)()  # without the filter huey says what it runs: the test sees its lines
    assert any("executed in" in r.getMessage() for r in caplog.records if r.name == "huey")
