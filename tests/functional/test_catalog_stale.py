"""A batch read, then overtaken by another batch of the same vendor before it is
applied, through the whole app: its apply is refused with a message that says how many
rows and what to do, nothing is applied, and uploading its file again reads it against
the catalog as it is now."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.models.orm import Batch, BatchExecution, Job, ProductChange, ProductCost
from poser.tasks.batches.base import today
from tests.functional.catalog_pages import (
    BUTTER_UP_AGAIN,
    BUTTER_UP_SOAP_DOWN,
    apply_form,
    run_scheduler,
    save_options,
    step_url,
    upload,
)
from tests.functional.conftest import login


def _butter(dbsession: Session, shop: dict[str, Any]) -> Decimal:
    dbsession.rollback()  # a fresh snapshot: see what the app and the jobs committed
    return dbsession.scalars(
        select(ProductCost.case_cost).where(
            ProductCost.product_id == shop["butter"].id, ProductCost.vendor_id == shop["acme"].id
        )
    ).one()


def _count(dbsession: Session, table: Any, *where: Any) -> int:
    dbsession.rollback()
    return dbsession.scalar(select(func.count()).select_from(table).where(*where)) or 0


def test_a_batch_overtaken_by_another_is_refused_then_read_again(
    testapp, shop, dbsession, jobs_of, settings, session_factory
) -> None:
    data_set = shop["data_set"]
    later = today() + timedelta(days=3)
    login(testapp, "olga")
    # The first file, dated later, is read and scheduled for its date.
    save_options(testapp, data_set, catalog_vendor="ACME", catalog_effective_date=str(later))
    upload(testapp, data_set, BUTTER_UP_SOAP_DOWN, "first.csv")
    assert jobs_of() == ["succeeded"]
    apply_form(testapp.get(step_url(data_set, "apply")), "schedule").submit(status=303)
    first = dbsession.scalars(select(Batch.id)).one()
    # The second, undated, is read and applied before it.
    save_options(testapp, data_set, catalog_effective_date="")
    upload(testapp, data_set, BUTTER_UP_AGAIN, "second.csv")
    assert jobs_of() == ["succeeded"]
    apply_form(testapp.get(step_url(data_set, "apply"))).submit(status=303)
    assert jobs_of() == ["succeeded", "succeeded"]  # the apply, then its report
    assert _butter(dbsession, shop) == Decimal("30.00")

    # The first's date comes: its apply is refused, and says why and what to do.
    assert run_scheduler(settings, session_factory, later) == "succeeded"
    assert jobs_of() == ["failed"]
    refusal = (
        f"1 row of batch #{first} (line 2 of its file) no longer compares with the catalog "
        "as it did when the file was read: another batch was applied, or costs were "
        "edited, since. Nothing was applied. Upload the file again: it is read and "
        "compared with the catalog as it is now; review it, then apply it."
    )
    dbsession.rollback()
    failed = dbsession.scalars(
        select(Job).where(Job.kind == "batches.execute", Job.status == "failed")
    ).one()
    assert failed.error == refusal
    apply_page = testapp.get(step_url(data_set, "apply"))
    assert apply_page.pyquery("[data-testid=job-error]").text() == refusal
    job_page = testapp.get(f"/jobs/{failed.id}")
    assert job_page.pyquery("[data-testid=job-error]").text() == refusal
    assert "attempt" not in job_page.pyquery("#job-panel").text()  # tried once: not said
    # Nothing of it was applied.
    assert _butter(dbsession, shop) == Decimal("30.00")
    assert _count(dbsession, ProductChange, ProductChange.batch_id == first) == 0
    assert _count(dbsession, BatchExecution, BatchExecution.batch_id == first) == 0
    assert dbsession.get_one(Batch, first).status == "populated"

    # The way forward: its file uploaded again is read against the catalog as it is.
    upload(testapp, data_set, BUTTER_UP_SOAP_DOWN, "first.csv")
    assert jobs_of() == ["succeeded"]
    review = testapp.get(step_url(data_set, "review"))
    counts = {el.attrib["data-count"]: el.text for el in review.pyquery("[data-count]")}
    assert counts == {"cost_down": "2"}  # butter 30.00 to 26.40 now, soap as before
    apply_form(testapp.get(step_url(data_set, "apply"))).submit(status=303)
    assert jobs_of() == ["succeeded", "succeeded"]
    assert _butter(dbsession, shop) == Decimal("26.40")
