"""Everything leads somewhere, and totals an operator trusts: grid rows and a batch's
rows link to the product's page, breadcrumbs to the data set's home, and a grid past
its count cap offers to count every row, after which "Last" works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import webtest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.apps.catalog.application import CATALOG
from poser.apps.products.application import PRODUCTS
from poser.apps.widgets.grid import Grid
from poser.models.orm import DataSet, Product
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_NEW
from tests.functional.catalog_pages import (
    corner_shop,
    run_queued_jobs,
    save_options,
    step_url,
    upload,
)
from tests.functional.conftest import login

HTMX = {"HX-Request": "true"}


def _products_step(data_set: DataSet, step: str = "catalog") -> str:
    return f"/apps/products/data-sets/{data_set.id}/steps/{step}"


def _grid(application: Any, step: str, name: str) -> Grid:
    widgets = application.step(step).widgets
    return next(w for w in widgets if isinstance(w, Grid) and w.name == name)


def test_a_products_grid_row_links_to_the_products_page(
    testapp: webtest.TestApp, store: DataSet, dbsession: Session
) -> None:
    login(testapp, "petra")
    page = testapp.get(_products_step(store))
    row = page.pyquery("[data-widget=products] tbody tr[data-key]").eq(0)
    link = row.find("[data-testid=row-link]")
    product = dbsession.get_one(Product, int(row.attr("data-key")))
    assert link.text() == product.upc
    shown = testapp.get(link.attr("href"))
    assert shown.pyquery("[data-testid=product-detail] h3").text() == product.description


def test_a_batch_row_links_to_its_product_and_a_new_item_to_nothing(
    testapp: webtest.TestApp,
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    shop = corner_shop(dbsession)
    data_set = shop["data_set"]
    login(testapp, "olga")
    assert save_options(testapp, data_set, catalog_vendor="ACME").status_int == 303
    text = HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n{UPC_NEW},A-400,New thing,,,2,5.00"
    upload(testapp, data_set, text)
    run_queued_jobs(settings, session_factory, tmp_path)
    review = testapp.get(step_url(data_set, "review"))
    rows = {
        row.find("td").eq(1).text(): row
        for row in review.pyquery("[data-widget=rows] tbody tr[data-key]").items()
    }
    butter = rows[UPC_BUTTER].find("[data-testid=row-link]")
    assert butter.text() == UPC_BUTTER
    shown = testapp.get(butter.attr("href"))
    assert shown.pyquery("[data-testid=product-detail]")
    assert UPC_BUTTER in shown.pyquery("[data-testid=product-detail]").text()
    assert not rows[UPC_NEW].find("[data-testid=row-link]")  # no product has it yet


def test_an_edited_grid_links_its_rows_too(testapp: webtest.TestApp, store: DataSet) -> None:
    """The owner edits the Products grid in place; its UPC, which is not editable, still
    links to the product."""
    login(testapp, "petra")
    page = testapp.get(_products_step(store))
    assert page.pyquery("[data-testid=grid-edit]")
    assert len(page.pyquery("[data-widget=products] [data-testid=row-link]")) == 50


def test_breadcrumbs_lead_to_the_data_sets_home_and_settings_stay_one_click_away(
    testapp: webtest.TestApp, store: DataSet
) -> None:
    login(testapp, "petra")
    page = testapp.get(_products_step(store, "margins"))
    crumb = page.pyquery("[data-testid=breadcrumb-data-set]")
    assert crumb.text() == "Corner Shop"
    home = testapp.get(crumb.attr("href"))
    assert home.request.path == f"/apps/products/data-sets/{store.id}"
    assert home.pyquery("[data-testid=dashboard] h1").text() == "Corner Shop"
    settings = testapp.get(page.pyquery("[data-testid=data-set-settings]").attr("href"))
    assert settings.pyquery("h2").eq(0).text() == "Rename"
    crumbs = settings.pyquery(".breadcrumb-item")
    assert crumbs.eq(-1).text() == "Settings"
    home = testapp.get(settings.pyquery("[data-testid=breadcrumb-data-set]").attr("href"))
    assert home.pyquery("[data-testid=dashboard]")


def test_under_the_cap_the_total_is_exact_and_nothing_offers_to_count(
    testapp: webtest.TestApp, store: DataSet
) -> None:
    login(testapp, "petra")
    page = testapp.get(_products_step(store))
    assert page.pyquery("[data-testid=grid-summary]").text() == "1\u201350 of 120"
    assert not page.pyquery("[data-testid=grid-count-all]")
    last = page.pyquery(".page-link:contains('Last')")
    assert last.attr("href"), "Last is a link"


def test_past_the_cap_count_all_gives_the_exact_total_and_a_last_page(
    testapp: webtest.TestApp,
    store: DataSet,
    dbsession: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_grid(PRODUCTS, "catalog", "products"), "count_cap", 60)
    login(testapp, "petra")
    params = {"products.size": "25"}
    page = testapp.get(_products_step(store), params=params)
    assert page.pyquery("[data-testid=grid-summary]").text() == "1\u201325 of 60+"
    assert not page.pyquery(".page-link:contains('Last')").attr("href")  # not known yet
    count = page.pyquery("[data-testid=grid-count-all]")
    assert count.text() == "Count all"
    assert "products.count=all" in count.attr("href")
    counted = testapp.get(count.attr("hx-get"), headers=HTMX)
    assert counted.headers["HX-Push-Url"] == count.attr("href")  # Reload counts again
    assert counted.pyquery("[data-testid=grid-summary]").text() == "1\u201325 of 120"
    assert not counted.pyquery("[data-testid=grid-count-all]")
    assert "Page 1 of 5" in counted.pyquery(".pagination").text()
    # The next page keeps counting; a new filter (the form) starts from the cap again.
    following = testapp.get(counted.pyquery("a[rel=next]").attr("hx-get"), headers=HTMX)
    assert following.pyquery("[data-testid=grid-summary]").text() == "26\u201350 of 120"
    hidden = following.pyquery("[data-testid=grid-filters] input[type=hidden]")
    assert "products.count" not in [field.get("name") for field in hidden]
    assert "count" not in following.pyquery("[data-testid=grid-reset]").attr("href")
    last = following.pyquery(".page-link:contains('Last')")
    last_page = testapp.get(last.attr("hx-get"), headers=HTMX)
    assert last_page.pyquery("[data-testid=grid-summary]").text() == "101\u2013120 of 120"
    shown = [int(key) for key in last_page.pyquery("tbody tr").map(lambda i, e: e.get("data-key"))]
    ids = dbsession.scalars(
        select(Product.id).where(Product.data_set_id == store.id).order_by(Product.id)
    ).all()
    assert shown == ids[100:]


def test_count_all_counts_what_the_filter_matches(
    testapp: webtest.TestApp,
    store: DataSet,
    dbsession: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_grid(PRODUCTS, "catalog", "products"), "count_cap", 10)
    matching = dbsession.scalar(
        select(func.count()).where(Product.data_set_id == store.id, Product.regular_price >= 2)
    )
    assert 10 < matching < 120
    login(testapp, "petra")
    page = testapp.get(_products_step(store), params={"products.regular_price.min": "2"})
    assert page.pyquery("[data-testid=grid-summary]").text().endswith("of 50+")  # a full page
    counted = testapp.get(page.pyquery("[data-testid=grid-count-all]").attr("hx-get"), headers=HTMX)
    assert counted.pyquery("[data-testid=grid-summary]").text().endswith(f"of {matching}")


def test_count_all_without_htmx_is_the_step_page_counted(
    testapp: webtest.TestApp, store: DataSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_grid(PRODUCTS, "catalog", "products"), "count_cap", 10)
    login(testapp, "petra")
    page = testapp.get(_products_step(store))
    counted = testapp.get(page.pyquery("[data-testid=grid-count-all]").attr("href"))
    assert counted.pyquery("[data-testid=grid-summary]").text() == "1\u201350 of 120"
    # A fragment's URL opened as a page (a bookmark) is the step page, still counted.
    fragment = counted.pyquery("a[rel=next]").attr("hx-get")
    assert testapp.get(fragment, status=303).location.endswith("products.count=all")


def test_a_batchs_rows_read_their_exact_total_unfiltered_without_counting(
    testapp: webtest.TestApp,
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading a batch's file counts its rows: past the cap the review grid's total is
    that count; filtered, it is capped as any grid's."""
    monkeypatch.setattr(_grid(CATALOG, "review", "rows"), "count_cap", 1)
    shop = corner_shop(dbsession)
    data_set = shop["data_set"]
    login(testapp, "olga")
    assert save_options(testapp, data_set, catalog_vendor="ACME").status_int == 303
    text = HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n{UPC_NEW},A-400,New thing,,,2,5.00"
    upload(testapp, data_set, text)
    run_queued_jobs(settings, session_factory, tmp_path)
    review = testapp.get(step_url(data_set, "review"), params={"rows.size": "1"})
    assert review.pyquery("[data-widget=rows] [data-testid=grid-summary]").text() == "1\u20131 of 2"
    assert not review.pyquery("[data-widget=rows] [data-testid=grid-count-all]")
    params = {"rows.size": "1", "rows.description.q": "e"}
    filtered = testapp.get(step_url(data_set, "review"), params=params)
    assert (
        filtered.pyquery("[data-widget=rows] [data-testid=grid-summary]").text() == "1\u20131 of 1+"
    )
    assert filtered.pyquery("[data-widget=rows] [data-testid=grid-count-all]")
