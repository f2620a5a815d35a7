"""Batch jobs: the apply queues its report, which is written once after it commits; the
scheduler applies a batch on its date, as whoever scheduled it, only if it is still as
it was scheduled."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from poser.models.orm import Batch, CatalogBatchRow, Export, Job
from poser.storage.backends import local_store
from poser.tasks import exports, jobs
from poser.tasks.batches import get_handler
from poser.tasks.batches import jobs as batch_jobs
from poser.tasks.datasets import set_member
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_SOAP, make_batch, make_catalog
from tests.factories import make_data_set, make_user
from tests.jobs_support import RecordingQueue

GOOD = HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n{UPC_SOAP},A-200,Soap,,,6,6.00\n"
DAY = date(2030, 1, 10)
handler = get_handler("catalog")


@pytest.fixture
def shop(dbsession: Session, tmp_path: Any) -> dict[str, Any]:
    owner = make_user(dbsession, "olga")
    data_set = make_data_set(dbsession, members={owner: "owner"})
    catalog = make_catalog(dbsession, data_set)
    dbsession.commit()
    return {"data_set": data_set, "files": local_store(tmp_path), "owner": owner, **catalog}


def _populated(shop: dict[str, Any], **options: Any) -> Batch:
    batch = make_batch(shop["data_set"], shop["files"], GOOD, shop["acme"], **options)
    handler.populate(batch, shop["files"])
    return batch


def _exports(dbsession: Session) -> int:
    return dbsession.scalar(select(func.count()).select_from(Export)) or 0


def test_the_apply_queues_its_report_only_once_it_commits(dbsession, shop) -> None:
    queue = RecordingQueue()
    batch = _populated(shop)
    summary, report_job = batch_jobs.execute_batch(batch, queue, shop["owner"])
    assert summary["costs_updated"] == 2
    assert _exports(dbsession) == 0  # no file work in the apply's transaction
    assert report_job.kind == "batches.report"
    assert report_job.parameters == {"batch_id": batch.id, "user_id": shop["owner"].id}
    assert queue.enqueued == []
    dbsession.rollback()  # the apply failed to commit: no report job is queued
    assert queue.enqueued == []
    assert dbsession.scalars(select(Job)).all() == []

    batch = _populated(shop)
    _, report_job = batch_jobs.execute_batch(batch, queue, shop["owner"])
    dbsession.commit()
    assert queue.enqueued == [report_job.id]


def test_the_report_is_written_once_with_the_effective_date(dbsession, shop) -> None:
    batch = _populated(shop, effective_date="2030-01-31")
    handler.execute(batch, None)
    export = handler.report(batch, shop["files"], None)
    assert export is not None
    assert (export.batch_id, export.row_count) == (batch.id, 2)
    assert "effective 2030-01-31" in export.title
    text = shop["files"].read_bytes(f"{export.folder}/{export.files[0]}").decode("utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(text)))
    assert [(line["UPC"], line["Effective date"]) for line in lines] == [
        (UPC_BUTTER.zfill(14), "2030-01-31"),
        (UPC_SOAP.zfill(14), "2030-01-31"),
    ]
    assert shop["files"].list(f"{handler.folder(batch)}/report") == []  # moved in, whole
    # A second run (a retried job) finds it written.
    assert handler.report(batch, shop["files"], None) is export
    assert _exports(dbsession) == 1


def test_a_try_refused_its_write_leaves_whole_files_for_the_next(
    dbsession, shop, monkeypatch
) -> None:
    """The next try takes the write lock from its start: it records the files the
    refused try wrote whole rather than writing them again."""
    batch = _populated(shop)
    handler.execute(batch, None)

    def refused(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("INSERT INTO export", {}, Exception("database is locked"))

    monkeypatch.setattr(exports, "record_export", refused)
    with pytest.raises(OperationalError):
        handler.report(batch, shop["files"], None)
    monkeypatch.undo()
    folder = f"{handler.folder(batch)}/report"
    staged = sorted(shop["files"].list(folder))
    assert [key.rsplit("/", 1)[-1] for key in staged] == [
        f"catalog-batch-{batch.id}-changes.csv",
        f"catalog-batch-{batch.id}-changes.xlsx",
        "written.json",
    ]
    shop["files"].write(staged[0], b"as the first try wrote it")
    export = handler.report(batch, shop["files"], None)
    assert export.row_count == 2
    assert shop["files"].read_bytes(f"{export.folder}/{export.files[0]}") == (
        b"as the first try wrote it"
    )
    assert shop["files"].list(folder) == []


def test_the_report_job_and_a_second_run(dbsession, session_factory, shop) -> None:
    queue = RecordingQueue()
    batch = _populated(shop)
    dbsession.flush()
    apply = jobs.submit(
        dbsession,
        queue,
        batch_jobs.execute,
        data_set=shop["data_set"],
        parameters={"batch_id": batch.id, "batch_version": batch.version},
    )
    dbsession.commit()
    resources = {"files": shop["files"], "queue": queue}
    assert (
        jobs.run(session_factory, queue, apply.id, worker="w", resources=resources) == "succeeded"
    )
    report_id = queue.enqueued[-1]
    assert (
        jobs.run(session_factory, queue, report_id, worker="w", resources=resources) == "succeeded"
    )
    dbsession.expire_all()
    export_id = dbsession.get_one(Job, report_id).result["export_id"]
    again = jobs.submit(
        dbsession,
        queue,
        batch_jobs.report,
        data_set=shop["data_set"],
        parameters={"batch_id": batch.id},
    )
    dbsession.commit()
    assert (
        jobs.run(session_factory, queue, again.id, worker="w", resources=resources) == "succeeded"
    )
    dbsession.expire_all()
    assert dbsession.get_one(Job, again.id).result["export_id"] == export_id
    assert _exports(dbsession) == 1


def test_an_apply_without_a_version_is_refused(dbsession, session_factory, shop) -> None:
    queue = RecordingQueue()
    batch = _populated(shop)
    job = jobs.submit(
        dbsession,
        queue,
        batch_jobs.execute,
        data_set=shop["data_set"],
        parameters={"batch_id": batch.id},
    )
    dbsession.commit()
    assert (
        jobs.run(session_factory, queue, job.id, worker="w", resources={"queue": queue}) == "failed"
    )
    dbsession.expire_all()
    assert "does not say which version" in (dbsession.get_one(Job, job.id).error or "")
    assert dbsession.get_one(Batch, batch.id).status == "populated"


def _schedule(batch: Batch, user: Any, on: date = DAY) -> None:
    handler.schedule(batch, user, "apply", on - timedelta(days=1))


def test_the_scheduler_queues_the_apply_of_batches_whose_day_has_come(dbsession, shop) -> None:
    queue = RecordingQueue()
    due = _populated(shop, effective_date=DAY.isoformat())
    _schedule(due, shop["owner"])
    later = _populated(shop, effective_date=(DAY + timedelta(days=1)).isoformat())
    _schedule(later, shop["owner"], DAY + timedelta(days=1))
    dbsession.flush()

    result = batch_jobs.apply_scheduled(dbsession, queue=queue, on=DAY.isoformat())
    assert result == {"applies_queued": 1, "schedules_dropped": 0}
    job = dbsession.scalars(select(Job).where(Job.kind == "batches.execute")).one()
    assert job.user_id == shop["owner"].id
    assert job.parameters == {
        "batch_id": due.id,
        "batch_version": due.version,
        "user_id": shop["owner"].id,
        "_step": "apply",
    }
    assert (due.scheduled_for, due.schedule_note) == (None, None)
    assert later.scheduled_for == DAY + timedelta(days=1)
    # The next hour finds nothing more to do for that day.
    assert batch_jobs.apply_scheduled(dbsession, queue=queue, on=DAY.isoformat()) == {
        "applies_queued": 0,
        "schedules_dropped": 0,
    }


def test_the_scheduler_drops_what_changed_or_can_no_longer_be_applied(dbsession, shop) -> None:
    queue = RecordingQueue()
    editor = make_user(dbsession, "eddie")
    set_member(shop["data_set"], editor, "editor")
    changed = _populated(shop, effective_date=DAY.isoformat())
    _schedule(changed, shop["owner"])
    row = select(CatalogBatchRow.id).where(CatalogBatchRow.batch_id == changed.id).limit(1)
    handler.refresh_row(changed, dbsession.scalars(row).one())
    demoted = _populated(shop, effective_date=DAY.isoformat())
    _schedule(demoted, editor)
    set_member(shop["data_set"], editor, "viewer")
    dbsession.flush()

    result = batch_jobs.apply_scheduled(dbsession, queue=queue, on=DAY.isoformat())
    assert result == {"applies_queued": 0, "schedules_dropped": 2}
    assert dbsession.scalars(select(Job)).all() == []
    assert changed.scheduled_for is None
    assert changed.schedule_note.startswith(f"The apply scheduled for {DAY} was not made: ")
    assert "changed after it was scheduled" in changed.schedule_note
    assert "may no longer change this data set" in (demoted.schedule_note or "")
