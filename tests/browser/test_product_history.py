"""The product page's history in Chromium: a catalog apply and grid edits, newest
first, readable (axe-checked) at the widths operators use."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from poser.storage.settings import store_from_settings
from poser.tasks.batches import get_handler
from poser.tasks.product_history import edit_on_page
from poser.tasks.products import update_product
from tests.browser.support import log_in
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_NEW, make_batch
from tests.functional.catalog_pages import corner_shop


def test_a_products_history_reads_newest_first(
    page: Any, a11y: Any, dbsession: Session, settings: dict[str, Any]
) -> None:
    shop = corner_shop(dbsession)
    data_set, owner = shop["data_set"], shop["owner"]
    files = store_from_settings(settings)
    text = HEADER + (
        f"{UPC_BUTTER},A-101,Butter,,,12,31.50\n{UPC_NEW},A-400,Oat milk,Oaty,1 l,6,9.00\n"
    )
    batch = make_batch(data_set, files, text, shop["acme"], new_items="add", tolerance_percent="10")
    handler = get_handler("catalog")
    handler.populate(batch, files)
    handler.acknowledge(batch, owner)  # the butter's cost is up 31%: flagged
    handler.execute(batch, owner)
    source = edit_on_page(owner, "products", "catalog")
    update_product(data_set, shop["butter"].id, {"regular_price": "5.99"}, source=source)
    update_product(data_set, shop["butter"].id, {"brand": "Dairy Gold"}, source=source)
    dbsession.commit()

    log_in(page, "olga")
    page.goto(f"/apps/products/data-sets/{data_set.id}/steps/product?lookup.upc={UPC_BUTTER}")
    rows = page.locator("[data-testid=product-change]")
    assert rows.count() == 4
    assert rows.nth(0).inner_text().split("\t")[1] == "Brand"
    assert "Unit cost from ACME" in rows.nth(3).inner_text()
    assert "Item code at ACME" in rows.nth(2).inner_text()
    a11y.check("butter")
    page.goto(f"/apps/products/data-sets/{data_set.id}/steps/product?lookup.upc={UPC_NEW}")
    assert "Added to the catalog" in page.locator("[data-testid=product-history]").inner_text()
