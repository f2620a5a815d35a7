from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from poser.entry_points.schedule import PERIODIC_JOBS, PeriodicJob, due, scheduler_loop, schedules
from poser.tasks import dashboard, maintenance
from poser.tasks.backups import nightly
from poser.tasks.batches import jobs as batch_jobs
from poser.tasks.feeds import runs as feed_runs
from poser.tasks.job_kinds import get_kind
from poser.tasks.reports import schedules as report_schedules
from poser.utils.settings import SettingsError
from tests import sample_jobs


def test_defaults_and_overrides() -> None:
    plans = schedules({"poser.schedule.purge_uploads.older_than_days": "3"})
    assert sorted(plans) == [
        "apply_scheduled_batches",
        "dashboard_figures",
        "product_feeds",
        "purge_job_logs",
        "purge_uploads",
        "purge_work",
        "run_scheduled_reports",
    ]
    assert plans["purge_uploads"].parameters == {"older_than_days": 3}
    assert plans["purge_work"].parameters == {"older_than_days": 2}
    # Scheduled batches are looked for every hour, with no purge's age to pass.
    assert plans["apply_scheduled_batches"].job.task is batch_jobs.apply_scheduled
    assert plans["apply_scheduled_batches"].job.kind.name == "batches.apply_scheduled"
    assert plans["apply_scheduled_batches"].parameters == {}
    hourly = [datetime(2026, 1, 1, hour, 7, tzinfo=UTC) for hour in (0, 9, 23)]
    assert all("apply_scheduled_batches" in due(plans, minute) for minute in hourly)


def test_each_periodic_job_names_its_task_which_the_registry_knows_by_its_name() -> None:
    tasks = {job.name: job.task for job in PERIODIC_JOBS}
    assert tasks == {
        "purge_work": maintenance.purge_work,
        "purge_uploads": maintenance.purge_uploads,
        "purge_job_logs": maintenance.purge_job_logs,
        "apply_scheduled_batches": batch_jobs.apply_scheduled,
        "run_scheduled_reports": report_schedules.run_scheduled,
        "product_feeds": feed_runs.run_nightly,
        "dashboard_figures": dashboard.refresh_figures,
        "backup": nightly.nightly_backup,
    }
    for job in PERIODIC_JOBS:
        assert get_kind(job.kind.name) is job.kind


def test_a_periodic_job_takes_a_global_task_not_a_name() -> None:
    with pytest.raises(TypeError, match="is not a job kind"):
        PeriodicJob("purge", "maintenance.purge_work", "* * * * *")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"'sample\.touch' is not a global kind"):
        PeriodicJob("touch", sample_jobs.touch, "* * * * *")


def test_a_schedule_can_be_turned_off_or_moved() -> None:
    plans = schedules(
        {"poser.schedule.purge_work": "off", "poser.schedule.purge_uploads": "*/5 * * * *"}
    )
    assert "purge_work" not in plans
    assert due(plans, datetime(2026, 1, 1, 10, 5, tzinfo=UTC)) == ["purge_uploads"]
    assert due(plans, datetime(2026, 1, 1, 10, 6, tzinfo=UTC)) == []
    assert sorted(due(plans, datetime(2026, 1, 1, 4, 15, tzinfo=UTC))) == [
        "purge_job_logs",
        "purge_uploads",
    ]


@pytest.mark.parametrize("spec", ["every day", "1 2 3", "99 * * * *"])
def test_a_bad_schedule_names_the_setting(spec: str) -> None:
    with pytest.raises(SettingsError, match=r"poser\.schedule\.purge_work"):
        schedules({"poser.schedule.purge_work": spec})


def test_the_loop_enqueues_each_due_minute_once() -> None:
    plans = schedules(
        {
            "poser.schedule.purge_work": "* * * * *",
            "poser.schedule.purge_uploads": "off",
            "poser.schedule.purge_job_logs": "off",
        }
    )
    start = datetime(2026, 1, 1, 10, 0, 58, tzinfo=UTC)
    ticks = iter([start + timedelta(seconds=s) for s in (0, 1, 2, 3, 62)])
    stop = threading.Event()
    enqueued: list[tuple[str, str]] = []

    def clock() -> datetime:
        try:
            return next(ticks)
        except StopIteration:
            stop.set()
            return start + timedelta(seconds=62)

    def record(name: str, when: str) -> None:
        enqueued.append((name, when))

    # The stop event's wait() is real; the loop waits at most until the next minute.
    original_wait = stop.wait
    stop.wait = lambda timeout=None: original_wait(0)  # type: ignore[method-assign]
    scheduler_loop(plans, record, stop, clock=clock)
    assert enqueued == [
        ("purge_work", "2026-01-01T10:00:00+00:00"),
        ("purge_work", "2026-01-01T10:01:00+00:00"),
        ("purge_work", "2026-01-01T10:02:00+00:00"),
    ]


def test_the_backup_is_off_unless_the_ini_schedules_it() -> None:
    assert "backup" not in schedules({})
    plans = schedules({"poser.schedule.backup": "0 2 * * *"})
    assert plans["backup"].job.kind.name == "backups.nightly"
    assert due(plans, datetime(2026, 1, 1, 2, 0, tzinfo=UTC)) == ["backup"]
