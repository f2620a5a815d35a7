"""A test include: an Application whose one step shows a chart of each kind.

Add it through `poser.includes` (tests/browser/test_chart.py does). The queries are
tiny and fixed, as a models.data_extraction function's rows would be; one label holds
``'`` and ``</script>`` to show that the chart's data attribute cannot be broken out of.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pyramid.config import Configurator

from poser.apps.framework.application import Application, Step, StepGroup
from poser.apps.framework.widget import WidgetContext
from poser.apps.widgets.chart import Chart

TRICKY_LABEL = "Deli's </script><b>bold</b>"


def margins(ctx: WidgetContext) -> Sequence[tuple[Any, ...]]:
    return [
        ("Produce", Decimal("31.50"), Decimal("29.25")),
        (TRICKY_LABEL, Decimal("24.10"), None),
        ("Bakery", Decimal("40.00"), Decimal("38.75")),
    ]


def sales(ctx: WidgetContext) -> Sequence[tuple[Any, ...]]:
    return [("Mon", 1), ("Tue", 3), ("Wed", 2), ("Thu", 2)]


def shares(ctx: WidgetContext) -> Sequence[tuple[Any, ...]]:
    return [("Grocery", 0.55), ("Produce", 0.3), ("Dairy", 0.15)]


def price_vs_cost(ctx: WidgetContext) -> Sequence[tuple[Any, ...]]:
    return [(Decimal("1.20"), Decimal("2.49")), (Decimal("3.10"), Decimal("4.99")), (0.8, 1.5)]


SAMPLE_CHARTS = Application(
    name="Sample Charts",
    url_name="sample_charts",
    description="A chart of each kind",
    step_groups=[
        StepGroup(
            "Review",
            [
                Step(
                    "Charts",
                    "charts",
                    widgets=[
                        Chart(
                            "margins",
                            title="Margin by department",
                            width=6,
                            kind="bar",
                            query=margins,
                            series=("This week", "Last week"),
                            x_label="Department",
                            y_label="Margin",
                            value_format="{:,.2f} %",
                        ),
                        Chart("sales", title="Sales", width=6, kind="line", query=sales),
                        Chart(
                            "share",
                            title="Share of sales",
                            width=6,
                            kind="pie",
                            query=shares,
                            value_format="{:.0%}",
                        ),
                        Chart(
                            "spread",
                            title="Price against cost",
                            width=6,
                            kind="scatter",
                            query=price_vs_cost,
                            x_label="Unit cost",
                            y_label="Price",
                            value_format="${:,.2f}",
                        ),
                    ],
                )
            ],
        )
    ],
)


def includeme(config: Configurator) -> None:
    config.add_application(SAMPLE_CHARTS)
