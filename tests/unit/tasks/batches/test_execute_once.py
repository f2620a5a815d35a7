"""A batch executes at most once, even when two workers execute it at the same time."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from poser.models.orm import Batch, BatchExecution, Job, ProductChange, ProductCost
from poser.storage.backends import local_store
from poser.tasks import jobs
from poser.tasks.batches import get_handler
from poser.tasks.batches import jobs as batch_jobs
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_SOAP, make_batch, make_catalog
from tests.factories import make_data_set
from tests.jobs_support import RecordingQueue


def test_two_concurrent_executes_apply_the_batch_once(
    dbsession: Session, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    assert batch_jobs.execute  # the job kinds are registered
    files = local_store(tmp_path)
    data_set = make_data_set(dbsession)
    store = make_catalog(dbsession, data_set)
    text = HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n{UPC_SOAP},A-200,Soap,,,6,6.00\n"
    batch = make_batch(data_set, files, text, store["acme"])
    get_handler("catalog").populate(batch, files)
    dbsession.flush()  # the version both applies name is the populated batch's
    queue = RecordingQueue()
    submitted = [
        jobs.submit(
            dbsession,
            queue,
            batch_jobs.execute,
            data_set=data_set,
            parameters={"batch_id": batch.id, "batch_version": batch.version},
        ).id
        for _ in range(2)
    ]
    dbsession.commit()

    outcomes: list[Any] = []
    start = threading.Barrier(2)

    def work(job_id: int) -> None:
        start.wait()
        outcomes.append(
            jobs.run(
                session_factory,
                queue,
                job_id,
                worker=f"worker-{job_id}",
                resources={"files": files, "queue": queue},
            )
        )

    threads = [threading.Thread(target=work, args=(job_id,)) for job_id in submitted]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["failed", "succeeded"]
    dbsession.rollback()
    dbsession.expire_all()  # sessions keep loaded values past commit (expire_on_commit off)
    failed = dbsession.scalars(select(Job).where(Job.status == "failed")).one()
    assert "will not run again" in (failed.error or "")
    assert dbsession.scalar(select(func.count()).select_from(BatchExecution)) == 1
    assert dbsession.scalar(select(func.count()).select_from(ProductChange)) == 2
    assert dbsession.get_one(Batch, batch.id).status == "executed"
    # The one apply that committed queued the one job that writes its report.
    reports = dbsession.scalars(select(Job.id).where(Job.kind == "batches.report")).all()
    assert len(reports) == 1
    assert queue.enqueued[-1] == reports[0]
    butter = dbsession.scalars(
        select(ProductCost).where(ProductCost.product_id == store["butter"].id)
    ).one()
    assert butter.unit_cost == Decimal("2.2000")
