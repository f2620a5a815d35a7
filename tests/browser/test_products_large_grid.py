"""An operator pages, sorts, counts and filters a grid of 100,000 products in Chromium,
and downloads what the filters keep as CSV and XLSX."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.models.orm import Product
from poser.tasks.datasets import create_data_set
from poser.tasks.generate import generate_products
from tests.browser.support import downloaded, log_in
from tests.factories import make_user

PRODUCTS = 100_000
GRID = "[data-widget=products]"
DASH = "\N{EN DASH}"  # between the first and last row numbers in the summary
FIRST_KEY = f"document.querySelector('{GRID} tbody tr[data-key]').dataset.key"


# The Price column's cells: its text, or its input's value when the grid is editable.
PRICES = f"""() => {{
    const headers = [...document.querySelectorAll('{GRID} thead th')];
    const at = headers.findIndex((th) => th.dataset.column === 'regular_price');
    return [...document.querySelectorAll('{GRID} tbody tr[data-key]')].map((row) => {{
        const cell = row.children[at];
        const input = cell.querySelector('input');
        return input ? input.value : cell.textContent;
    }});
}}"""


def _prices(page: Any) -> list[Decimal]:
    return [Decimal(text.strip().replace(",", "")) for text in page.evaluate(PRICES)]


def _wait_for_new_rows(page: Any, first_key: str) -> None:
    page.wait_for_function(f"(key) => {FIRST_KEY} !== key", arg=first_key, timeout=15000)


def test_an_operator_filters_a_100000_product_grid_and_downloads_it(
    page: Any, dbsession: Session, tmp_path: Path
) -> None:
    owner = make_user(dbsession, "olga")
    store = create_data_set(dbsession, "Large Store", "products", owner)
    generate_products(store, products=PRODUCTS, seed=5)
    dbsession.commit()
    low, high = Decimal("20"), Decimal("21")
    in_range = select(func.count()).where(
        Product.data_set_id == store.id, Product.regular_price.between(low, high)
    )
    expected = dbsession.scalar(in_range)
    assert 50 < expected < 20_000  # more than a page, and few enough to count exactly

    log_in(page, "olga")
    page.goto(f"/apps/products/data-sets/{store.id}/steps/catalog")
    page.wait_for_load_state("load")  # htmx is deferred: a click before it runs navigates
    assert f"1{DASH}50 of 10,000+" in page.inner_text("[data-testid=grid-summary]")
    page.evaluate("window.__still_here = true")

    # Paging, then sorting by price both ways: only the grid is replaced.
    first = page.evaluate(FIRST_KEY)
    page.click(f"{GRID} a[rel=next]")
    _wait_for_new_rows(page, first)
    assert f"51{DASH}100 of 10,000+" in page.inner_text("[data-testid=grid-summary]")
    first = page.evaluate(FIRST_KEY)
    page.click(f"{GRID} th[data-column=regular_price] a")
    page.wait_for_url("**products.sort=regular_price**")
    _wait_for_new_rows(page, first)
    cheapest = _prices(page)
    assert len(cheapest) == 50
    assert cheapest == sorted(cheapest)
    first = page.evaluate(FIRST_KEY)
    page.click(f"{GRID} th[data-column=regular_price] a")
    page.wait_for_url("**products.sort=-regular_price**")
    _wait_for_new_rows(page, first)
    dearest = _prices(page)
    assert dearest == sorted(dearest, reverse=True)
    assert dearest[0] > cheapest[-1]
    top = dbsession.scalar(
        select(func.max(Product.regular_price)).where(Product.data_set_id == store.id)
    )
    assert dearest[0] == top

    # Past the cap the operator asks for the exact total; then the last page is a click.
    first = page.evaluate(FIRST_KEY)
    page.click("[data-testid=grid-count-all]")
    page.wait_for_selector(f"[data-testid=grid-summary]:has-text('of {PRODUCTS:,}')")
    assert page.inner_text("[data-testid=grid-summary]").strip() == f"1{DASH}50 of {PRODUCTS:,}"
    assert "Page 1 of 2,000" in page.inner_text(f"{GRID} .pagination")
    assert not page.query_selector("[data-testid=grid-count-all]")
    page.click(f"{GRID} .page-link:has-text('Last')")
    page.wait_for_selector(f"[data-testid=grid-summary]:has-text('99,951{DASH}100,000')")
    cheapest_of_all = _prices(page)
    assert cheapest_of_all == sorted(cheapest_of_all, reverse=True)
    assert cheapest_of_all[-1] <= cheapest[0]
    assert page.evaluate("window.__still_here") is True
    # Back to the first page in the same order, still counted.
    page.click(f"{GRID} .page-link:has-text('First')")
    page.wait_for_selector(f"[data-testid=grid-summary]:has-text('1{DASH}50 of {PRODUCTS:,}')")
    assert "products.count=all" in page.url
    assert _prices(page) == dearest
    assert page.evaluate(FIRST_KEY) == first

    # A price range: the summary counts its matches exactly.
    page.click(f"{GRID} summary:has-text('Filters')")
    page.fill("[data-filter=regular_price] input >> nth=0", str(low))
    page.fill("[data-filter=regular_price] input >> nth=1", str(high))
    page.press("[data-filter=regular_price] input >> nth=1", "Enter")
    page.wait_for_url("**regular_price.max=21**")
    page.wait_for_selector(f"[data-testid=grid-summary]:has-text('of {expected:,}')")
    shown = _prices(page)
    assert all(low <= price <= high for price in shown)
    assert shown == sorted(shown, reverse=True)
    assert page.evaluate("window.__still_here") is True
    summary = page.inner_text("[data-testid=grid-summary]")
    assert summary.strip() == f"1{DASH}50 of {expected:,}"

    # Both downloads hold every filtered row, in the grid's order.
    csv_path = downloaded(page, "[data-testid=grid-csv]", tmp_path / "products.csv")
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == expected
    prices = [Decimal(row["Price"]) for row in rows]
    assert prices == sorted(prices, reverse=True)
    assert prices[:50] == shown

    xlsx_path = downloaded(page, "[data-testid=grid-xlsx]", tmp_path / "products.xlsx")
    workbook = load_workbook(xlsx_path, read_only=True)
    try:
        header, *values = list(workbook.active.iter_rows(values_only=True))
    finally:
        workbook.close()
    assert header[:2] == ("UPC", "Description")
    assert len(values) == expected
    price_at = header.index("Price")
    assert [Decimal(str(row[price_at])) for row in values] == prices
