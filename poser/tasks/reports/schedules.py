"""Scheduled reports: any report runs daily, weekly (Mondays) or monthly (the first),
per data set, through the one scheduler (``run_scheduled``, a periodic job).

A schedule acts for the member who set it: its runs are Jobs of the report's kind in
their name, recorded and listed as any run is (with ``schedule_id``), and refused
when they start if that member no longer may run it. Each day a schedule is due, it
runs once: the statement that queues its run moves ``last_run_on`` on only if it has
not moved yet, so two schedulers (or a retry) never run a day twice. A day the
scheduler missed is made up once, at its next run.

A report with a period (``Report.period``, the names of its first and last day) runs
over the days since its last due day: yesterday, the week before, the month before.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from poser.models.orm import REPORT_FREQUENCIES, DataSet, ReportSchedule, User
from poser.tasks import jobs
from poser.tasks.job_kinds import get_kind, job_kind
from poser.tasks.jobs import JobQueue
from poser.tasks.permissions import may
from poser.tasks.reports import Report, find_report
from poser.tasks.sessions import session_of
from poser.utils.progress import NullProgress, Progress
from poser.utils.timeutil import utcnow

#: How often, in the words of the form and the report's page.
FREQUENCY_WORDS = {
    "daily": "Every day",
    "weekly": "Every Monday",
    "monthly": "On the first of each month",
}
#: What scheduling a report takes: its runs act for the member who set it.
SCHEDULE_PERMISSION = "edit"


class ScheduleError(ValueError):
    """A schedule that cannot be kept; the message is for the operator."""


def schedule_of(data_set: DataSet, report: Report) -> ReportSchedule | None:
    return session_of(data_set).scalar(
        select(ReportSchedule).where(
            ReportSchedule.data_set_id == data_set.id, ReportSchedule.report == report.name
        )
    )


def set_schedule(
    data_set: DataSet,
    report: Report,
    frequency: str | None,
    stored: dict[str, Any],
    user: User,
    today: date | None = None,
) -> ReportSchedule | None:
    """Run ``report`` ``frequency`` with ``stored`` parameters for ``user``; None (or
    an empty frequency) stops it. A schedule set (or changed to another frequency)
    ``today`` first runs on its next due day, today if it is one: the days it was due
    before it was set are not made up."""
    session = session_of(data_set)
    if not may(session, user, SCHEDULE_PERMISSION, data_set.id):
        raise ScheduleError(f"{user.username} may not schedule reports of this data set.")
    schedule = schedule_of(data_set, report)
    if not frequency:
        if schedule is not None:
            session.delete(schedule)
            session.flush()
        return None
    if frequency not in REPORT_FREQUENCIES:
        raise ScheduleError("Choose how often: every day, every Monday or each month.")
    if schedule is None:
        schedule = ReportSchedule(data_set_id=data_set.id, report=report.name)
        session.add(schedule)
    if schedule.frequency != frequency:
        today = today or utcnow().date()
        day = due_day(frequency, today)
        schedule.last_run_on = None if day == today else day
    schedule.frequency, schedule.parameters, schedule.user_id = frequency, stored, user.id
    session.flush()
    return schedule


def due_day(frequency: str, today: date) -> date:
    """The latest day on or before ``today`` that a schedule of ``frequency`` runs on."""
    if frequency == "weekly":
        return today - timedelta(days=today.weekday())
    if frequency == "monthly":
        return today.replace(day=1)
    return today


def period_before(frequency: str, day: date) -> tuple[date, date]:
    """The days a run due on ``day`` covers: the day, week or month before it."""
    end = day - timedelta(days=1)
    if frequency == "weekly":
        return day - timedelta(days=7), end
    if frequency == "monthly":
        return end.replace(day=1), end
    return end, end


def run_values(report: Report, schedule: ReportSchedule, day: date) -> dict[str, Any]:
    """The stored parameters of the run due on ``day``."""
    values = dict(schedule.parameters or {})
    if report.period:
        first, last = report.period
        start, end = period_before(schedule.frequency, day)
        values[first], values[last] = start.isoformat(), end.isoformat()
    return values


def next_run_on(schedule: ReportSchedule, today: date) -> date:
    """The day the schedule runs next: today while today's due run has not been made."""
    day = due_day(schedule.frequency, today)
    if schedule.last_run_on is None or schedule.last_run_on < day:
        return today
    if schedule.frequency == "daily":
        return day + timedelta(days=1)
    if schedule.frequency == "weekly":
        return day + timedelta(days=7)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _claim(session: Session, schedule: ReportSchedule, day: date) -> bool:
    """Move the schedule's last run on to ``day``, if no one has: True if this run
    claimed the day."""
    claimed = session.execute(
        update(ReportSchedule)
        .where(
            ReportSchedule.id == schedule.id,
            or_(ReportSchedule.last_run_on.is_(None), ReportSchedule.last_run_on < day),
        )
        .values(last_run_on=day)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


@job_kind(
    "reports.run_scheduled",
    "Run the scheduled reports that are due",
    scope="global",
    idempotent=True,  # a day claimed is not run again
    uses=("queue",),
)
def run_scheduled(
    dbsession: Session,
    *,
    queue: JobQueue,
    on: str | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Queue a run of each schedule due ``on`` (default today, UTC) that has not run
    for its due day, as the member who set it."""
    today = date.fromisoformat(on) if on else utcnow().date()
    progress = progress or NullProgress()
    queued = skipped = 0
    for schedule in dbsession.scalars(select(ReportSchedule).order_by(ReportSchedule.id)):
        day = due_day(schedule.frequency, today)
        if schedule.last_run_on is not None and schedule.last_run_on >= day:
            continue
        report = find_report(schedule.report)
        data_set = dbsession.get(DataSet, schedule.data_set_id)
        # A schedule whose member is gone acts for no one: it waits, listed on its page.
        user = dbsession.get(User, schedule.user_id) if schedule.user_id else None
        if report is None or data_set is None or user is None:
            skipped += 1
            continue
        if not _claim(dbsession, schedule, day):
            continue  # another scheduler's run queued it
        job = jobs.submit(
            dbsession,
            queue,
            get_kind(report.job_kind_name),
            data_set=data_set,
            user=user,
            parameters={"values": run_values(report, schedule, day), "schedule_id": schedule.id},
        )
        queued += 1
        progress.log(f"{report.title} of {data_set.name}: queued as job {job.id}")
    return {"reports_queued": queued, "schedules_skipped": skipped}
