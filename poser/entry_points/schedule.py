"""Periodic jobs, declared here with crontab schedules the ini can change or disable.

    poser.schedule.purge_work = 30 3 * * *      (minute hour day month day-of-week)
    poser.schedule.purge_work = off
    poser.schedule.purge_work.older_than_days = 2
    poser.schedule.apply_scheduled_batches = 7 * * * *

Exactly one process schedules: `poser scheduler`, or a worker started with periodic
on (`poser.queue.periodic = true`, the development default). Two schedulers by
mistake still run each scheduled time once: the run is claimed in the database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from huey import crontab

from poser.tasks import dashboard, maintenance
from poser.tasks.backups import nightly
from poser.tasks.batches import jobs as batch_jobs
from poser.tasks.feeds import runs as feed_runs
from poser.tasks.job_kinds import JobKind, Task, kind_of
from poser.tasks.reports import schedules as report_schedules
from poser.utils.settings import SettingsError, setting_int
from poser.utils.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    """``task`` is what runs, a function `job_kind` declares (global scope); the Job
    and PeriodicRun rows store its kind's name and ``name``."""

    name: str
    task: Task | JobKind
    schedule: str  # five crontab fields, in UTC
    older_than_days: int | None = None  # for a purge: how old what it removes must be

    def __post_init__(self) -> None:
        if self.kind.scope != "global":
            raise ValueError(f"periodic {self.name!r}: {self.kind.name!r} is not a global kind")

    @property
    def kind(self) -> JobKind:
        return kind_of(self.task)


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("purge_work", maintenance.purge_work, "30 3 * * *", 2),
    PeriodicJob("purge_uploads", maintenance.purge_uploads, "45 3 * * *", 7),
    PeriodicJob("purge_job_logs", maintenance.purge_job_logs, "15 4 * * *", 30),
    # Hourly: a batch is applied within the hour its date begins (the server's time
    # zone), and one a stopped worker missed, within the hour it starts again.
    PeriodicJob("apply_scheduled_batches", batch_jobs.apply_scheduled, "7 * * * *"),
    # Hourly too: a report scheduled for a day runs within its first hour (UTC), and
    # one a stopped scheduler missed, within the hour it starts again.
    PeriodicJob("run_scheduled_reports", report_schedules.run_scheduled, "17 * * * *"),
    # Nightly: each data set that has its storefront feed on gets one a night (UTC),
    # claimed in the database. Hourly ("25 * * * *") makes a missed night up.
    PeriodicJob("product_feeds", feed_runs.run_nightly, "25 2 * * *"),
    # Hourly: a big data set's dashboard figures, worked out again once its products
    # changed (poser/tasks/dashboard.py).
    PeriodicJob("dashboard_figures", dashboard.refresh_figures, "47 * * * *"),
    # Off unless the ini sets poser.schedule.backup (poser/tasks/backups/nightly.py).
    PeriodicJob("backup", nightly.nightly_backup, "off"),
)


@dataclass(frozen=True)
class Schedule:
    job: PeriodicJob
    matches: Callable[[datetime], bool]
    parameters: dict[str, Any]


def schedules(settings: Mapping[str, Any]) -> dict[str, Schedule]:
    """The enabled periodic jobs with the ini's schedules and parameters."""
    result = {}
    for job in PERIODIC_JOBS:
        key = f"poser.schedule.{job.name}"
        spec = str(settings.get(key) or job.schedule).strip()
        if spec.lower() in ("off", "false", "disabled", "none"):
            continue
        fields = spec.split()
        if len(fields) != 5:
            raise SettingsError(f"{key} = {spec!r}: give five crontab fields or 'off'")
        try:
            matches = crontab(*fields)
        except ValueError as exc:
            raise SettingsError(f"{key} = {spec!r}: {exc}") from exc
        parameters: dict[str, Any] = {}
        if job.older_than_days is not None:
            days = setting_int(settings, f"{key}.older_than_days", job.older_than_days)
            parameters["older_than_days"] = days
        result[job.name] = Schedule(job, matches, parameters)
    return result


def due(settings_schedules: Mapping[str, Schedule], minute: datetime) -> list[str]:
    # huey's crontab compares naive datetimes; the schedules are in UTC.
    naive = minute.replace(second=0, microsecond=0, tzinfo=None)
    return [name for name, schedule in settings_schedules.items() if schedule.matches(naive)]


def scheduler_loop(
    settings_schedules: Mapping[str, Schedule],
    enqueue: Callable[[str, str], None],
    stop: threading.Event,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Each minute, enqueue the periodic jobs due then, until ``stop`` is set."""
    last = None
    while not stop.is_set():
        now = clock()
        minute = now.replace(second=0, microsecond=0)
        if minute != last:
            for name in due(settings_schedules, minute):
                log.info("scheduling %s for %s", name, minute.isoformat())
                enqueue(name, minute.isoformat())
            last = minute
        stop.wait(max(0.05, 60 - now.second - now.microsecond / 1e6))
