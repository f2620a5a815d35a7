"""The app info page's facts: the latest error records of the app dir's logs (with
their tracebacks), and each periodic job's last run."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from poser.models.orm import Job, PeriodicRun
from poser.tasks.site_info import app_logs, last_periodic_runs, latest_errors


def test_latest_errors_are_whole_records_oldest_first(tmp_path: Path) -> None:
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "poser.log").write_text(
        "2026-12-06 10:00:00,000 ERROR [a:1][t] first\n"
        "2026-12-06 10:00:01,000 INFO  [a:1][t] fine\n"
        "2026-12-06 10:00:02,000 ERROR [a:1][t] second\n"
        "Traceback (most recent call last):\n"
        "  ValueError: bad\n"
        "2026-12-06 10:00:03,000 WARNING [a:1][t] careful\n"
        "2026-12-06 10:00:04,000 CRITICAL [a:1][t] third\n"
    )
    (tmp_path / "log" / "worker.log").write_text("ERROR [w:1][t] no time, production format\n")
    logs = app_logs(tmp_path)
    assert [p.name for p in logs] == ["poser.log", "worker.log"]
    errors = latest_errors(logs)
    assert errors == [
        "2026-12-06 10:00:00,000 ERROR [a:1][t] first",
        "2026-12-06 10:00:02,000 ERROR [a:1][t] second\n"
        "Traceback (most recent call last):\n  ValueError: bad",
        "2026-12-06 10:00:04,000 CRITICAL [a:1][t] third",
        "ERROR [w:1][t] no time, production format",
    ]
    assert latest_errors(logs, limit=1) == ["ERROR [w:1][t] no time, production format"]
    assert app_logs(tmp_path / "nowhere") == []


def test_each_periodic_jobs_last_run(dbsession: Session) -> None:
    for day, status in ((1, "failed"), (2, "succeeded")):
        job = Job(kind="maintenance.purge_work", parameters={}, status=status)
        dbsession.add(job)
        dbsession.flush()
        dbsession.add(
            PeriodicRun(
                name="purge_work",
                scheduled_for=datetime(2026, 1, day, 3, 30, tzinfo=UTC),
                job_id=job.id,
                claimed_by="w",
            )
        )
    dbsession.flush()
    (run,) = last_periodic_runs(dbsession)
    assert (run.name, run.scheduled_for.day, run.status) == ("purge_work", 2, "succeeded")
