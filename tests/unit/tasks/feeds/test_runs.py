"""The feed's runs: its settings, a run by hand, keeping the last files, and the
nightly run, once a night however many schedulers look (real claims in the database)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from poser.models.data_extraction.feeds import latest_feed
from poser.models.engine import write_transaction
from poser.models.orm import DataSet, DataSetMember, Export, FeedRun, Job
from poser.storage import MemoryFileStore
from poser.tasks import jobs
from poser.tasks.feeds import write_feed
from poser.tasks.feeds.runs import (
    FeedSettings,
    claim_night,
    feed_settings,
    keep_newest,
    run_nightly,
    save_feed_settings,
    start_run,
)
from poser.tasks.jobs import AlreadyRunningError
from tests.factories import make_user
from tests.jobs_support import RecordingQueue
from tests.unit.tasks.feeds.feed_store import make_feed_store

NIGHT = "2026-03-04"


def run_queued(
    session_factory: sessionmaker[Session], files: MemoryFileStore, kind: str
) -> list[str | None]:
    with session_factory() as session:
        queued = session.scalars(
            select(Job.id).where(Job.kind == kind, Job.status == "queued").order_by(Job.id)
        ).all()
    queue = RecordingQueue()
    resources = {"files": files, "queue": queue}
    return [
        jobs.run(session_factory, queue, job_id, worker="t", resources=resources)
        for job_id in queued
    ]


def test_the_settings_default_to_off_keeping_seven_and_are_checked(dbsession: Session) -> None:
    data_set, _ = make_feed_store(dbsession)
    assert feed_settings(data_set) == FeedSettings(nightly=False, keep=7)
    with pytest.raises(ValueError, match=r"^Files to keep: Keep from 1 to 365 files\.$"):
        save_feed_settings(data_set, True, 0)
    assert save_feed_settings(data_set, True, 3) == ["product_feed_nightly", "product_feed_keep"]
    assert (feed_settings(data_set).nightly, feed_settings(data_set).keep) == (True, 3)
    assert save_feed_settings(data_set, True, 3) == []


def test_a_run_by_hand_keeps_the_newest_files(
    dbsession: Session, session_factory: sessionmaker[Session], files: MemoryFileStore
) -> None:
    data_set, _ = make_feed_store(dbsession)
    editor = make_user(dbsession, "eddie")
    dbsession.add(DataSetMember(data_set_id=data_set.id, user_id=editor.id, role="editor"))
    save_feed_settings(data_set, False, 2)
    dbsession.commit()
    written = []
    for _ in range(4):
        job = start_run(data_set, RecordingQueue(), editor)
        dbsession.commit()
        assert run_queued(session_factory, files, "feeds.write") == ["succeeded"]
        dbsession.expire_all()
        written.append(dbsession.get_one(Job, job.id).result)
    assert [result["rows"] for result in written] == [4, 4, 4, 4]
    assert [result["removed"] for result in written] == [0, 0, 1, 1]
    kept = dbsession.scalars(select(Export).order_by(Export.id)).all()
    assert [export.id for export in kept] == [result["export_id"] for result in written[2:]]
    assert latest_feed(dbsession, data_set.id, "product_feed") == kept[-1]
    # The older files are gone from the store, their runs stay, without a file.
    assert sorted(files.list("exports")) == [f"{export.folder}/product-feed.csv" for export in kept]
    runs = dbsession.scalars(select(FeedRun).order_by(FeedRun.id)).all()
    assert [run.export_id for run in runs] == [None, None, kept[0].id, kept[1].id]
    assert all(run.night is None for run in runs)
    assert {dbsession.get_one(Job, run.job_id).user_id for run in runs} == {editor.id}


def test_a_second_run_by_hand_waits_for_the_first(dbsession: Session) -> None:
    data_set, _ = make_feed_store(dbsession)
    editor = make_user(dbsession, "eddie")
    start_run(data_set, RecordingQueue(), editor)
    with pytest.raises(AlreadyRunningError):
        start_run(data_set, RecordingQueue(), editor)


def _stores(dbsession: Session) -> tuple[DataSet, DataSet, DataSet]:
    on, _ = make_feed_store(dbsession, "On")
    off, _ = make_feed_store(dbsession, "Off")
    never, _ = make_feed_store(dbsession, "Never set")
    save_feed_settings(on, True, 7)
    save_feed_settings(off, False, 7)
    dbsession.commit()
    return on, off, never


def _nightly_job(dbsession: Session, on: str) -> int:
    job = Job(kind="feeds.run_nightly", parameters={"on": on}, status="queued")
    dbsession.add(job)
    dbsession.commit()
    return job.id


def test_two_schedulers_write_a_nights_feed_once(
    dbsession: Session, session_factory: sessionmaker[Session], files: MemoryFileStore
) -> None:
    on, _, _ = _stores(dbsession)
    # Two schedulers' jobs for the same night, each run by the real runner in its own
    # transactions, as two workers would.
    for _ in range(2):
        _nightly_job(dbsession, NIGHT)
    assert run_queued(session_factory, files, "feeds.run_nightly") == ["succeeded"] * 2
    results = [job.result for job in dbsession.scalars(select(Job).order_by(Job.id))]
    assert results[:2] == [{"feeds_queued": 1}, {"feeds_queued": 0}]
    runs = dbsession.scalars(select(FeedRun)).all()
    assert [(run.data_set_id, run.night) for run in runs] == [(on.id, date(2026, 3, 4))]
    assert run_queued(session_factory, files, "feeds.write") == ["succeeded"]
    dbsession.rollback()  # a new transaction: what the worker committed
    (export,) = dbsession.scalars(select(Export)).all()
    assert (export.data_set_id, export.row_count, export.created_by_id) == (on.id, 4, None)
    assert dbsession.get_one(FeedRun, runs[0].id).export_id == export.id
    # The next night is another night.
    _nightly_job(dbsession, "2026-03-05")
    assert run_queued(session_factory, files, "feeds.run_nightly") == ["succeeded"]
    dbsession.rollback()
    assert len(dbsession.scalars(select(FeedRun)).all()) == 2


def test_a_second_claim_of_a_night_waits_for_the_first_and_finds_it_taken(
    dbsession: Session, session_factory: sessionmaker[Session]
) -> None:
    on, _, _ = _stores(dbsession)
    night = date(2026, 3, 4)
    first = session_factory()
    second_claim: list[Any] = []

    def second() -> None:
        # As the runner's retry does on SQLite: the write lock taken at BEGIN, waited for.
        with write_transaction(session_factory) as session:
            data_set = session.get_one(DataSet, on.id)
            second_claim.append(claim_night(session, data_set, night))

    try:
        claimed = claim_night(first, first.get_one(DataSet, on.id), night)
        assert claimed is not None
        other = threading.Thread(target=second)
        other.start()
        other.join(timeout=0.5)
        assert other.is_alive()  # waiting for the first claim's transaction
        first.commit()
        other.join(timeout=30)
        assert second_claim == [None]
    finally:
        first.close()
    assert [run.id for run in dbsession.scalars(select(FeedRun))] == [claimed]


def test_the_nightly_run_queues_only_the_data_sets_that_have_it_on(dbsession: Session) -> None:
    on, _, _ = _stores(dbsession)
    queue = RecordingQueue()
    assert run_nightly(dbsession, queue=queue, on=NIGHT) == {"feeds_queued": 1}
    (job,) = dbsession.scalars(select(Job)).all()
    run = dbsession.scalars(select(FeedRun)).one()
    assert (job.kind, job.data_set_id, job.user_id) == ("feeds.write", on.id, None)
    assert job.parameters == {"feed_run_id": run.id}
    assert run.job_id == job.id
    assert run_nightly(dbsession, queue=queue, on=NIGHT) == {"feeds_queued": 0}


def test_two_runs_at_once_delete_an_old_file_once(
    dbsession: Session, session_factory: sessionmaker[Session], files: MemoryFileStore
) -> None:
    data_set, _ = make_feed_store(dbsession)
    older, newest = (write_feed(data_set, files, job_id=n) for n in (1, 2))
    dbsession.commit()
    first = session_factory()
    second_removed: list[int] = []

    def second() -> None:
        with write_transaction(session_factory) as session:
            second_removed.append(keep_newest(session.get_one(DataSet, data_set.id), files, 1))

    try:
        assert keep_newest(first.get_one(DataSet, data_set.id), files, 1) == 1
        other = threading.Thread(target=second)
        other.start()
        other.join(timeout=0.5)
        assert other.is_alive()  # waiting for the first run's transaction
        first.commit()
        other.join(timeout=30)
        assert second_removed == [0]
    finally:
        first.close()
    assert [export.id for export in dbsession.scalars(select(Export))] == [newest.id]
    assert files.list("exports") == [f"{newest.folder}/product-feed.csv"]
    assert older.folder != newest.folder
