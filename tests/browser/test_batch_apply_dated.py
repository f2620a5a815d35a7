"""A batch dated after today, on its Apply step in Chromium: the choice between applying
it on its date and applying it now reads clearly (axe-checked, both buttons)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from poser.models.orm import Batch
from tests.browser.accessibility import PageAudit
from tests.browser.support import log_in
from tests.functional.catalog_pages import corner_shop


def test_a_dated_batch_offers_its_date_or_now_readably(
    page: Any, a11y: PageAudit, dbsession: Session
) -> None:
    shop = corner_shop(dbsession)
    data_set, vendor = shop["data_set"], shop["acme"]
    batch = Batch(
        data_set_id=data_set.id,
        batch_type="catalog",
        status="populated",
        description="acme-next-year.csv",
        parameters={"vendor_id": vendor.id, "vendor_code": vendor.code,
                    "effective_date": "2099-01-01"},
        row_count=1,
        status_counts={"cost_up": 1},
    )  # fmt: skip
    dbsession.add(batch)
    dbsession.commit()
    log_in(page, shop["owner"].username)
    page.goto(f"/apps/catalog/data-sets/{data_set.id}/steps/apply")
    page.wait_for_selector("[data-testid=apply-dated]")
    assert page.is_visible("button:has-text('Apply on 2099-01-01')")
    assert page.is_visible("button:has-text('Apply now, before 2099-01-01')")
    a11y.check("dated-apply")
