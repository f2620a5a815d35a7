"""Scheduled reports: who may set one, which days each runs on and over which period,
and that a day runs once however many schedulers look."""

from __future__ import annotations

from datetime import date
from unittest.mock import ANY

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from poser.models.orm import DataSetMember, Job, ReportSchedule
from poser.storage import MemoryFileStore
from poser.tasks import jobs
from poser.tasks.reports import get_report
from poser.tasks.reports.schedules import (
    ScheduleError,
    due_day,
    next_run_on,
    period_before,
    run_scheduled,
    set_schedule,
)
from tests.jobs_support import RecordingQueue
from tests.unit.tasks.reports.small_store import make_small_store

MONDAY = date(2026, 3, 2)


def test_due_days_and_the_period_each_run_covers() -> None:
    wednesday = date(2026, 3, 4)
    assert due_day("daily", wednesday) == wednesday
    assert due_day("weekly", wednesday) == MONDAY
    assert due_day("monthly", wednesday) == date(2026, 3, 1)
    assert period_before("daily", wednesday) == (date(2026, 3, 3), date(2026, 3, 3))
    assert period_before("weekly", MONDAY) == (date(2026, 2, 23), date(2026, 3, 1))
    assert period_before("monthly", date(2026, 3, 1)) == (date(2026, 2, 1), date(2026, 2, 28))


def test_next_run_is_today_until_todays_run_is_made() -> None:
    schedule = ReportSchedule(frequency="weekly", last_run_on=None)
    assert next_run_on(schedule, date(2026, 3, 4)) == date(2026, 3, 4)  # last Monday's, late
    schedule.last_run_on = MONDAY
    assert next_run_on(schedule, date(2026, 3, 4)) == date(2026, 3, 9)
    schedule.frequency, schedule.last_run_on = "monthly", date(2026, 3, 1)
    assert next_run_on(schedule, date(2026, 3, 31)) == date(2026, 4, 1)


def test_a_viewer_may_not_schedule_an_editor_may(dbsession: Session) -> None:
    data_set, rows = make_small_store(dbsession)
    report = get_report("margin_by_department")
    with pytest.raises(ScheduleError, match="may not schedule"):
        set_schedule(data_set, report, "daily", {}, rows["alice"])
    member = dbsession.get_one(DataSetMember, (data_set.id, rows["alice"].id))
    member.role = "editor"
    assert set_schedule(data_set, report, "daily", {}, rows["alice"]) is not None
    assert set_schedule(data_set, report, None, {}, rows["alice"]) is None
    assert dbsession.scalars(select(ReportSchedule)).all() == []


def test_a_due_schedule_runs_once_a_day_as_its_member_over_its_period(
    dbsession: Session,
) -> None:
    data_set, rows = make_small_store(dbsession)
    dbsession.get_one(DataSetMember, (data_set.id, rows["alice"].id)).role = "editor"
    sunday = date(2026, 3, 1)
    set_schedule(data_set, get_report("cost_changes"), "weekly", {}, rows["alice"], sunday)
    set_schedule(data_set, get_report("inventory_valuation"), "daily", {}, rows["alice"], sunday)
    dbsession.flush()

    first = run_scheduled(dbsession, queue=RecordingQueue(), on="2026-03-04")  # a Wednesday
    again = run_scheduled(dbsession, queue=RecordingQueue(), on="2026-03-04")  # a 2nd scheduler
    assert first == {"reports_queued": 2, "schedules_skipped": 0}
    assert again == {"reports_queued": 0, "schedules_skipped": 0}
    queued = dbsession.scalars(select(Job).order_by(Job.id)).all()
    assert [(job.kind, job.user_id) for job in queued] == [
        ("report.cost_changes", rows["alice"].id),
        ("report.inventory_valuation", rows["alice"].id),
    ]
    # Monday's run, made late: the week before that Monday.
    assert queued[0].parameters["values"] == {"start": "2026-02-23", "end": "2026-03-01"}
    thursday = run_scheduled(dbsession, queue=RecordingQueue(), on="2026-03-05")
    assert thursday == {"reports_queued": 1, "schedules_skipped": 0}  # only the daily one


def test_a_schedule_set_between_its_days_waits_for_the_next_one(dbsession: Session) -> None:
    data_set, rows = make_small_store(dbsession)
    dbsession.get_one(DataSetMember, (data_set.id, rows["alice"].id)).role = "editor"
    wednesday = date(2026, 3, 4)
    report = get_report("inventory_valuation")
    schedule = set_schedule(data_set, report, "weekly", {}, rows["alice"], wednesday)
    assert schedule is not None
    assert next_run_on(schedule, wednesday) == date(2026, 3, 9)
    assert run_scheduled(dbsession, queue=RecordingQueue(), on="2026-03-04")["reports_queued"] == 0
    assert run_scheduled(dbsession, queue=RecordingQueue(), on="2026-03-09")["reports_queued"] == 1


def test_a_schedule_whose_member_is_gone_waits(dbsession: Session) -> None:
    data_set, rows = make_small_store(dbsession)
    dbsession.get_one(DataSetMember, (data_set.id, rows["alice"].id)).role = "editor"
    schedule = set_schedule(
        data_set, get_report("margin_by_department"), "daily", {}, rows["alice"]
    )
    assert schedule is not None
    schedule.user_id = None
    dbsession.flush()
    assert run_scheduled(dbsession, queue=RecordingQueue(), on="2026-03-04") == {
        "reports_queued": 0,
        "schedules_skipped": 1,
    }
    assert schedule.last_run_on is None


def test_a_scheduled_run_runs_and_says_it_was_scheduled(
    session_factory: sessionmaker[Session], dbsession: Session, files: MemoryFileStore
) -> None:
    data_set, rows = make_small_store(dbsession)
    dbsession.get_one(DataSetMember, (data_set.id, rows["alice"].id)).role = "editor"
    schedule = set_schedule(data_set, get_report("cost_changes"), "daily", {}, rows["alice"])
    assert schedule is not None
    run_scheduled(dbsession, queue=RecordingQueue(), on="2026-03-03")
    job = dbsession.scalars(select(Job)).one()
    dbsession.commit()
    assert job.parameters == {
        "values": {"start": "2026-03-02", "end": "2026-03-02"},
        "schedule_id": schedule.id,
    }
    status = jobs.run(session_factory, RecordingQueue(), job.id, worker="t",
                      resources={"files": files})  # fmt: skip
    assert status == "succeeded"
    dbsession.expire_all()
    assert dbsession.get_one(Job, job.id).result == {"rows": 1, "export_id": ANY}  # 2 March
