"""The dashboard's queries against the small store of the reports' tests, whose
figures are worked out by hand below (its table is in small_store.py's docstring)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from poser.models.data_extraction import dashboard
from poser.models.orm import Batch, DataSet, Export, InputChange, Job
from poser.utils.timeutil import utcnow
from tests.factories import make_data_set
from tests.unit.tasks.reports.small_store import make_small_store

FIGURES_KIND = "dashboard.figures"


def test_key_figures_are_the_ones_worked_out_by_hand(dbsession: Session) -> None:
    data_set, _ = make_small_store(dbsession)
    make_small_store(dbsession, "Another store")  # its products count in no figure here
    figures = dashboard.key_figures(dbsession, data_set.id)
    assert figures.products == 7
    # Margins 50, 25, -25 (active), 50, 50 (inactive): 150 over five products.
    assert figures.average_margin == Decimal("30.00")
    # In stock, at the preferred unit cost: 4 x 5 + 2.5 x 3 (Dairy, 27.50) and
    # 10 x 2.5 + 3 x 1 + 7 x 1.5 (Produce, 38.50); ...05 has none on hand.
    assert figures.by_department == [("Dairy", Decimal("27.50")), ("Produce", Decimal("38.50"))]
    assert figures.value_at_cost == Decimal("66.00")
    # ...03 sells under its cost, ...04 has no price, ...05 no cost and no department,
    # ...06 is inactive with 7 on hand; ...07 is inactive with none.
    assert figures.needing_attention == 4


def test_key_figures_of_an_empty_data_set(dbsession: Session) -> None:
    data_set = make_data_set(dbsession, "Empty")
    figures = dashboard.key_figures(dbsession, data_set.id)
    assert (figures.products, figures.value_at_cost, figures.average_margin) == (0, 0, None)
    assert (figures.needing_attention, figures.by_department) == (0, [])


def test_kept_figures_read_back_as_they_were_worked_out(dbsession: Session) -> None:
    data_set, _ = make_small_store(dbsession)
    assert dashboard.kept_figures(dbsession, data_set.id, FIGURES_KIND) is None
    figures = dashboard.key_figures(dbsession, data_set.id)
    kept = _job(dbsession, data_set, FIGURES_KIND, "succeeded", result=figures.to_json())
    _job(dbsession, data_set, FIGURES_KIND, "failed")  # newer, but failed: not read
    found = dashboard.kept_figures(dbsession, data_set.id, FIGURES_KIND)
    assert found is not None
    assert (found.figures, found.job.id) == (figures, kept.id)
    _job(dbsession, data_set, FIGURES_KIND, "succeeded", result={"products": "many"})
    assert dashboard.kept_figures(dbsession, data_set.id, FIGURES_KIND) is None


def test_products_up_to_counts_no_further_than_asked(dbsession: Session) -> None:
    data_set, _ = make_small_store(dbsession)
    assert dashboard.products_up_to(dbsession, data_set.id, 10) == 7
    assert dashboard.products_up_to(dbsession, data_set.id, 7) == 7
    assert dashboard.products_up_to(dbsession, data_set.id, 3) == 4  # "more than 3"


def test_waiting_batches_count_those_to_review_or_apply_by_type(dbsession: Session) -> None:
    data_set = make_data_set(dbsession, "Batches")
    other = make_data_set(dbsession, "Other")
    first = _batch(dbsession, data_set, "catalog", "populated")
    _batch(dbsession, data_set, "catalog", "executed")
    _batch(dbsession, data_set, "catalog", "failed")
    gone = _batch(dbsession, data_set, "catalog", "populated")
    gone.deleted_at = utcnow()
    reading = _batch(dbsession, data_set, "inventory", "new")
    ready = _batch(dbsession, data_set, "inventory", "populated")
    _batch(dbsession, data_set, "labels", "populated")  # a type not asked about
    _batch(dbsession, other, "catalog", "populated")
    dbsession.commit()
    found = dashboard.waiting_batches(dbsession, data_set.id, ["catalog", "inventory"], limit=2)
    assert found.counts == {"catalog": {"populated": 1}, "inventory": {"new": 1, "populated": 1}}
    assert found.total == 3
    assert [batch.id for batch in found.newest] == [ready.id, reading.id]
    everything = dashboard.waiting_batches(dbsession, data_set.id, ["catalog", "inventory"])
    assert [batch.id for batch in everything.newest] == [ready.id, reading.id, first.id]
    assert dashboard.waiting_batches(dbsession, data_set.id, []).total == 0


def test_jobs_running_waiting_and_failed_this_week(dbsession: Session) -> None:
    data_set = make_data_set(dbsession, "Jobs")
    other = make_data_set(dbsession, "Other")
    now = utcnow()
    running = _job(dbsession, data_set, "datasets.export", "running")
    queued = _job(dbsession, data_set, "datasets.copy", "queued")
    _job(dbsession, data_set, "datasets.export", "succeeded")
    failed = _job(
        dbsession, data_set, "datasets.export", "failed", created_at=now - timedelta(days=6)
    )
    _job(dbsession, data_set, "datasets.export", "failed", created_at=now - timedelta(days=8))
    _job(dbsession, other, "datasets.export", "failed")
    _job(dbsession, other, "datasets.export", "running")
    unfinished = dashboard.unfinished_jobs(dbsession, data_set.id)
    assert ([job.id for job in unfinished.jobs], unfinished.total) == ([queued.id, running.id], 2)
    assert [job.id for job in dashboard.unfinished_jobs(dbsession, data_set.id, 1).jobs] == [
        queued.id
    ]
    recent = dashboard.failed_jobs(dbsession, data_set.id, now)
    assert ([job.id for job in recent.jobs], recent.total) == ([failed.id], 1)


def test_latest_exports_of_any_type_but_the_ones_left_out(dbsession: Session) -> None:
    data_set = make_data_set(dbsession, "Exports")
    other = make_data_set(dbsession, "Other")
    now = utcnow()
    older = _export(dbsession, data_set, "workbook", now - timedelta(hours=2))
    _export(dbsession, data_set, "margin_by_department", now - timedelta(hours=1))
    feed = _export(dbsession, data_set, "product_feed", now)
    _export(dbsession, other, "workbook", now)
    found = dashboard.latest_exports(dbsession, data_set.id, leave_out=["margin_by_department"])
    assert [export.id for export in found] == [feed.id, older.id]
    assert len(dashboard.latest_exports(dbsession, data_set.id)) == 3
    assert [e.id for e in dashboard.latest_exports(dbsession, data_set.id, limit=1)] == [feed.id]


def test_latest_report_runs_with_their_exports(dbsession: Session) -> None:
    data_set = make_data_set(dbsession, "Reports")
    export = _export(dbsession, data_set, "margin_by_department", utcnow())
    run = _job(dbsession, data_set, "report.margin_by_department", "succeeded",
               result={"rows": 2, "export_id": export.id})  # fmt: skip
    _job(dbsession, data_set, "datasets.export", "succeeded")
    runs = dashboard.latest_report_runs(dbsession, data_set.id, ["report.margin_by_department"])
    assert [(job.id, found.id if found else None) for job, _, found in runs] == [
        (run.id, export.id)
    ]
    assert dashboard.latest_report_runs(dbsession, data_set.id, []) == []


def test_products_changed_at_is_the_last_edit_or_apply(dbsession: Session) -> None:
    data_set = make_data_set(dbsession, "Changes")
    assert dashboard.products_changed_at(dbsession, data_set.id) is None
    now = utcnow().replace(microsecond=0)
    dbsession.add(InputChange(data_set_id=data_set.id, name="products", changed_at=now))
    dbsession.add(
        InputChange(data_set_id=data_set.id, name="pricing", changed_at=now + timedelta(1))
    )
    dbsession.commit()
    assert dashboard.products_changed_at(dbsession, data_set.id) == now
    applied = _batch(dbsession, data_set, "catalog", "executed")
    applied.executed_at = now + timedelta(hours=1)
    dbsession.commit()
    assert dashboard.products_changed_at(dbsession, data_set.id) == now + timedelta(hours=1)


def _batch(dbsession: Session, data_set: DataSet, batch_type: str, status: str) -> Batch:
    batch = Batch(data_set_id=data_set.id, batch_type=batch_type, status=status)
    dbsession.add(batch)
    dbsession.flush()
    return batch


def _job(dbsession: Session, data_set: DataSet, kind: str, status: str, **values: object) -> Job:
    job = Job(kind=kind, data_set_id=data_set.id, status=status, **values)
    dbsession.add(job)
    dbsession.commit()
    return job


def _export(dbsession: Session, data_set: DataSet, export_type: str, created_at: object) -> Export:
    export = Export(data_set_id=data_set.id, export_type=export_type, title=export_type,
                    files=[f"{export_type}.csv"], created_at=created_at)  # fmt: skip
    dbsession.add(export)
    dbsession.commit()
    return export
