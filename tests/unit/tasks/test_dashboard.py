"""The scheduler's refresh of big data sets' dashboard figures: queued for a data set
past the live limit whose figures are missing or older than its products' last change,
never while one is waiting, never for one whose page reads them live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.data_extraction.dashboard import PRODUCTS_INPUT
from poser.models.orm import InputChange, Job
from poser.tasks import dashboard
from poser.tasks.dashboard import refresh_figures
from poser.utils.timeutil import utcnow
from tests.factories import make_data_set
from tests.jobs_support import RecordingQueue
from tests.unit.tasks.reports.small_store import make_small_store


def _figures_jobs(dbsession: Session) -> list[Job]:
    return list(
        dbsession.scalars(select(Job).where(Job.kind == "dashboard.figures").order_by(Job.id))
    )


def test_a_big_data_set_s_figures_are_queued_once_and_again_after_a_change(
    dbsession: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    big, _ = make_small_store(dbsession, "Big Store")  # seven products
    small = make_data_set(dbsession, "Empty Store")
    small.application = "products"
    dbsession.flush()
    monkeypatch.setattr(dashboard, "LIVE_PRODUCTS", 6)  # past it: seven is big
    queue = RecordingQueue()

    assert refresh_figures(dbsession, queue=queue) == {"figures_queued": 1}
    (job,) = _figures_jobs(dbsession)
    assert job.data_set_id == big.id
    assert refresh_figures(dbsession, queue=queue) == {"figures_queued": 0}  # it waits

    done = utcnow()
    job.status, job.finished_at = "succeeded", done
    job.result = dashboard.work_out_figures(big)
    dbsession.flush()
    assert refresh_figures(dbsession, queue=queue) == {"figures_queued": 0}  # up to date

    dbsession.add(InputChange(data_set_id=big.id, name=PRODUCTS_INPUT,
                              changed_at=done + timedelta(minutes=5)))  # fmt: skip
    dbsession.flush()
    assert refresh_figures(dbsession, queue=queue) == {"figures_queued": 1}
    assert [j.data_set_id for j in _figures_jobs(dbsession)] == [big.id, big.id]
