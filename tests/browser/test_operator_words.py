"""Operators read words: the check every browser test's pages go through (their visible
text holds no internal key of tests/operator_words.py: conftest's PageChecks, beside
axe-core), and the pages of issue 20's items 9 and 12 in Chromium: an export's job,
the Exports page, the margins chart against its targets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.apps.widgets.chart import UNDER_COLOUR
from poser.models.orm import Department
from poser.tasks.datasets import create_data_set
from poser.tasks.generate import generate_products
from tests.browser.conftest import PageChecks
from tests.browser.support import log_in
from tests.factories import make_user
from tests.worker_support import WorkerProcess


@pytest.fixture
def bare_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_a_page_that_shows_internal_keys_is_caught(bare_page: Any) -> None:
    checks = PageChecks(bare_page, "words")
    bare_page.set_content(
        "<main><h1>Result</h1><dl><dt>history_rows</dt><dd>3</dd><dt>Status</dt>"
        "<dd>cost_up</dd><dt>Flagged</dt><dd>false</dd></dl>"
        "<p>Saved in exports/data-sets/2/store.xlsx by batches.execute</p>"
        "<p hidden>product_costs</p></main>"
    )
    checks.check()
    assert len(checks.keys_shown) == 1
    shown = checks.keys_shown[0]
    for key in ("history_rows", "cost_up", "false", "exports/data-sets/2", "batches.execute"):
        assert key in shown
    assert "product_costs" not in shown  # hidden: nobody reads it


def test_a_page_in_words_passes(bare_page: Any) -> None:
    checks = PageChecks(bare_page, "words")
    bare_page.set_content(
        "<main><dl><dt>Changes written to product histories</dt><dd>3</dd>"
        "<dt>Status</dt><dd>Cost up</dd><dt>Size</dt><dd>1.2 MB</dd></dl>"
        "<a href='/exports/2/files/store.xlsx'>store.xlsx</a></main>"
    )
    checks.check()
    assert checks.keys_shown == []


def test_an_operator_reads_an_exports_job_the_exports_page_and_the_margins_chart(
    page: Any, a11y: PageChecks, dbsession: Session, worker: WorkerProcess
) -> None:
    owner = make_user(dbsession, "wanda")
    data_set = create_data_set(dbsession, "Corner Shop", "products", owner)
    generate_products(data_set, products=300, seed=4)
    first = dbsession.scalars(
        select(Department).where(Department.data_set_id == data_set.id).order_by(Department.number)
    ).first()
    assert first is not None
    first.target_margin = Decimal("99.00")  # a target no department meets
    dbsession.commit()
    log_in(page, "wanda")

    page.goto(f"/apps/products/data-sets/{data_set.id}/settings")
    page.click("button:has-text('Export to Excel')")
    page.wait_for_selector("[data-testid=job-status][data-status=succeeded]", timeout=30000)
    a11y.check("export-job-done")  # what htmx swapped in: the finished job, its result
    result = page.inner_text("[data-testid=job-result]")
    assert re.search(r"Size\s+[\d.]+ (KB|MB)", result), result

    page.click("[data-testid=job-made-link]:has-text('See it on the Exports page')")
    page.wait_for_selector("[data-testid=exports-table]")
    assert "Data set workbook" in page.inner_text("[data-testid=exports-table]")
    a11y.check("exports")  # checked and pictured before the next page replaces it

    page.goto(f"/apps/products/data-sets/{data_set.id}/steps/margins")
    page.wait_for_selector("[data-testid=chart-margins][data-chart-drawn]")
    a11y.check("margins-drawn")
    drawn = page.evaluate(DRAWN)
    assert drawn["legend"] == ["At or above target", "Under target", "Target"]
    assert drawn["types"] == ["bar", "line"]
    assert drawn["under"] == UNDER_COLOUR  # the first department is under its 99 %
    assert len(set(drawn["bars"])) == 2, drawn  # the others meet the data set's 30 %

    # A wider window gives the chart the width of its column.
    page.set_viewport_size({"width": 1920, "height": 900})
    page.wait_for_function(WIDE, timeout=5000)


WIDE = """() => {
  const canvas = document.querySelector('[data-testid=chart-margins] canvas');
  return canvas.getBoundingClientRect().width >= canvas.parentElement.clientWidth - 2
    && canvas.parentElement.clientWidth > 900;
}"""
DRAWN = """() => {
  const chart = Chart.getChart(document.querySelector('[data-testid=chart-margins] canvas'));
  const legend = chart.options.plugins.legend.labels.generateLabels(chart);
  const [bars, target] = chart.data.datasets;
  return {
    legend: legend.map((item) => item.text),
    types: [bars.type || chart.config.type, target.type],
    bars: bars.backgroundColor,
    under: bars.backgroundColor[0],
  };
}"""
