"""Chart widgets in Chromium: drawn by Chart.js under the strict CSP, redrawn after an
htmx swap, and shown as plain tables when JavaScript is off."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.conftest import serving
from tests.browser.support import log_in
from tests.factories import make_data_set, make_user
from tests.sample_chart_app import TRICKY_LABEL

CHARTS = ("margins", "sales", "share", "spread")


@pytest.fixture(scope="module")
def live_server(base_settings: dict[str, Any], engine: Any) -> Iterator[str]:
    """This module's own server: the usual includes and tests.sample_chart_app.

    It overrides conftest's ``live_server``, so conftest's ``page`` (which fails a test
    on any CSP violation or failed sub-resource) opens this server's pages.
    """
    includes = f"{base_settings['poser.includes']} tests.sample_chart_app"
    with serving(base_settings, **{"poser.includes": includes}) as url:
        yield url


def charts_step(dbsession: Session) -> str:
    owner = make_user(dbsession, "chiara")
    data_set = make_data_set(dbsession, "Corner Shop", members={owner: "owner"})
    data_set.application = "sample_charts"
    dbsession.commit()
    return f"/apps/sample_charts/data-sets/{data_set.id}/steps/charts"


DRAWN = """() => [...document.querySelectorAll('[data-poser-chart]')].map((figure) => {
  const chart = Chart.getChart(figure.querySelector('canvas'));
  return chart && {
    type: chart.config.type,
    labels: chart.data.labels,
    data: chart.data.datasets.map((dataset) => dataset.data),
    width: chart.canvas.getBoundingClientRect().width,
  };
})"""


def test_charts_are_drawn_and_their_tables_hidden_from_sight_only(
    page: Any, dbsession: Session
) -> None:
    url = charts_step(dbsession)
    log_in(page, "chiara")
    page.goto(url)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-poser-chart][data-chart-drawn]').length === 4"
    )

    drawn = page.evaluate(DRAWN)
    assert [chart["type"] for chart in drawn] == ["bar", "line", "pie", "scatter"]
    assert all(chart["width"] > 100 for chart in drawn)
    margins, sales, pie, spread = drawn
    # The label with "'" and "</script>" in it came through the data attribute whole.
    assert margins["labels"] == ["Produce", TRICKY_LABEL, "Bakery"]
    assert margins["data"] == [[31.5, 24.1, 40], [29.25, None, 38.75]]
    assert sales["data"] == [[1, 3, 2, 2]]
    assert pie["labels"] == ["Grocery", "Produce", "Dairy"]
    assert spread["data"] == [[{"x": 1.2, "y": 2.49}, {"x": 3.1, "y": 4.99}, {"x": 0.8, "y": 1.5}]]
    # The value axis and tooltips repeat the widget's value_format.
    margins_chart = "Chart.getChart(document.querySelector('[data-testid=chart-margins] canvas'))"
    ticks = page.evaluate(f"() => {margins_chart}.scales.y.ticks.map((tick) => tick.label)")
    assert ticks
    assert all(label.endswith(".00 %") for label in ticks), ticks
    # The axis goes past the highest bar (40 %), which would otherwise touch its top.
    assert page.evaluate(f"() => {margins_chart}.scales.y.max") > 40
    # Counts (whole numbers, as a batch's rows by status) step by whole numbers.
    sales_chart = "Chart.getChart(document.querySelector('[data-testid=chart-sales] canvas'))"
    ticks = page.evaluate(f"() => {sales_chart}.scales.y.ticks.map((tick) => tick.value)")
    assert ticks
    assert all(value == int(value) for value in ticks), ticks
    tooltip = page.evaluate(
        f"""() => {{
          const label = {margins_chart}.options.plugins.tooltip.callbacks.label;
          return [
            label({{datasetIndex: 0, dataIndex: 2}}), label({{datasetIndex: 1, dataIndex: 1}})
          ];
        }}"""
    )
    assert tooltip == ["This week: 40.00 %", "Last week: —"]

    for name in CHARTS:
        assert page.is_visible(f"[data-testid=chart-{name}] canvas")
        table = page.locator(f"[data-testid=chart-{name}-table]")
        assert "visually-hidden" in table.get_attribute("class").split()
        box = table.bounding_box()
        assert box is None or (box["width"] <= 1 and box["height"] <= 1)
    # Screen readers still get the numbers.
    table = page.get_by_role("table", name="Margin by department")
    assert table.count() == 1
    assert table.get_by_role("cell", name="38.75 %").count() == 1

    # A chart swapped in by htmx is drawn once the swap settles; the old one is destroyed.
    share = "[data-testid=chart-share]"
    page.evaluate(f"() => {{ document.querySelector('{share} canvas').dataset.old = 'yes'; }}")
    page.evaluate(
        "([url, share]) => htmx.ajax("
        "'GET', url, {target: share, select: share, swap: 'outerHTML'})",
        [url, share],
    )
    page.wait_for_function(
        """(share) => {
          const canvas = document.querySelector(share + ' canvas');
          return !canvas.dataset.old && Chart.getChart(canvas) !== undefined;
        }""",
        arg=share,
    )
    assert page.evaluate("() => Object.keys(Chart.instances).length") == 4
    assert "visually-hidden" in page.get_attribute("[data-testid=chart-share-table]", "class")


def test_without_javascript_the_tables_show_the_numbers(
    browser: Any, live_server: str, dbsession: Session
) -> None:
    url = charts_step(dbsession)
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    failed: list[str] = []
    page = context.new_page()
    page.on(
        "response",
        lambda response: (
            failed.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    try:
        log_in(page, "chiara")
        page.goto(url)
        for name in CHARTS:
            assert page.is_visible(f"[data-testid=chart-{name}-table]")
            assert not page.is_visible(f"[data-testid=chart-{name}] canvas")
        rows = page.locator("[data-testid=chart-margins-table] tbody tr").all_inner_texts()
        assert [row.split("\t") for row in rows] == [
            ["Produce", "31.50 %", "29.25 %"],
            [TRICKY_LABEL, "24.10 %", "—"],
            ["Bakery", "40.00 %", "38.75 %"],
        ]
        assert "55%" in page.inner_text("[data-testid=chart-share-table]")
        assert "$4.99" in page.inner_text("[data-testid=chart-spread-table]")
    finally:
        context.close()
    assert failed == []
