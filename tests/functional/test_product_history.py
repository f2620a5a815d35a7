"""A product's page shows its history: every change, newest first, with old and new,
who, when, and a link to what made it; the same for a grid edit as for a batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import webtest
from sqlalchemy.orm import Session

from poser.apps.products import widgets
from poser.models.orm import ProductChange
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_MILK
from tests.functional.catalog_pages import (
    form_posting_to,
    run_queued_jobs,
    save_options,
    step_url,
    upload,
)
from tests.functional.conftest import login


def _product_page(app: webtest.TestApp, shop: dict[str, Any], upc: str) -> Any:
    url = f"/apps/products/data-sets/{shop['data_set'].id}/steps/product"
    return app.get(url, params={"lookup.upc": upc})


def _timeline(page: Any) -> list[list[str]]:
    return [
        [" ".join(cell.text().split()) for cell in row.items("td")]
        for row in page.pyquery("[data-testid=product-change]").items()
    ]


def test_a_price_edited_in_the_grid_shows_on_the_products_history(
    testapp: webtest.TestApp, shop: dict[str, Any]
) -> None:
    login(testapp, "olga")
    page = _product_page(testapp, shop, UPC_BUTTER)
    assert page.pyquery("[data-testid=product-history-empty]")
    catalog = f"/apps/products/data-sets/{shop['data_set'].id}/steps/catalog"
    form = testapp.get(catalog).forms["grid-products-edit"]
    butter = shop["butter"].id
    form[f"products.edit.regular_price.{butter}"] = "5.49"
    form.submit(status=303)
    form = testapp.get(catalog).forms["grid-products-edit"]
    form[f"products.edit.description.{butter}"] = "Salted butter"
    form.submit(status=303)

    page = _product_page(testapp, shop, UPC_BUTTER)
    (description, price) = _timeline(page)  # newest first
    assert description[1:5] == ["Description", "Butter", "Salted butter", "olga"]
    assert price[1:5] == ["Price", "5.00", "5.49", "olga"]
    assert price[5] == "An edit on the Products page"
    link = page.pyquery("[data-testid=product-change]").eq(1).find("a")
    assert link.attr("href") == catalog
    # Its costs by vendor are on the same page.
    costs = page.pyquery("[data-testid=product-costs] tbody tr").text()
    assert "ACME" in costs


def test_a_catalog_apply_shows_on_the_products_history_with_its_batch_and_line(
    testapp: webtest.TestApp,
    shop: dict[str, Any],
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Any,
) -> None:
    login(testapp, "olga")
    data_set = shop["data_set"]
    save_options(testapp, data_set, catalog_vendor="ACME")
    text = HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n{UPC_MILK},A-301,Milk,,,4,12.00\n"
    upload(testapp, data_set, text)
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    apply_page = testapp.get(step_url(data_set, "apply"))
    form_posting_to(apply_page, "/apply/run").submit(status=303)
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded", "succeeded"]

    page = _product_page(testapp, shop, UPC_BUTTER)
    (cost,) = _timeline(page)
    assert cost[1:5] == [
        "Unit cost from ACME",
        "2.00",
        "2.20 Case: 12 for 24.00 → 12 for 26.40",
        "olga",
    ]
    assert "ACME: Acme Foods" in page.pyquery("[data-testid=product-costs]").text()
    made_by = page.pyquery("[data-testid=product-change] a")
    assert made_by.text().startswith("Vendor catalog #")
    assert ", line 2, applied by job #" in made_by.text()
    assert testapp.get(made_by.attr("href")).status_int == 200  # the apply's job page

    milk = _timeline(_product_page(testapp, shop, UPC_MILK))
    assert [row[1:4] for row in milk] == [["Item code at ACME", "A-300", "A-301"]]


def test_a_long_history_pages_back_and_returns_to_the_newest(
    testapp: webtest.TestApp,
    shop: dict[str, Any],
    dbsession: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(widgets, "TIMELINE_LIMIT", 2)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for n in range(5):
        dbsession.add(
            ProductChange(
                data_set_id=shop["data_set"].id,
                product_id=shop["butter"].id,
                changed_at=start + timedelta(minutes=n),
                field="brand",
                old_value=f"Brand {n - 1}" if n else "",
                new_value=f"Brand {n}",
                source="edit",
            )
        )
    dbsession.commit()
    login(testapp, "olga")
    page = _product_page(testapp, shop, UPC_BUTTER)
    brands = [row[3] for row in _timeline(page)]
    assert brands == ["Brand 4", "Brand 3"]
    assert "Newest changes" not in page.pyquery("[data-testid=product-history-pages]").text()
    seen = list(brands)
    while older := page.pyquery("[data-testid=product-history-older]").attr("href"):
        page = testapp.get(older)
        seen += [row[3] for row in _timeline(page)]
    assert seen == [f"Brand {n}" for n in (4, 3, 2, 1, 0)]  # each once, in order
    newest = page.pyquery("[data-testid=product-history-pages] a").eq(0)
    assert newest.text() == "Newest changes"
    assert [row[3] for row in _timeline(testapp.get(newest.attr("href")))] == brands
