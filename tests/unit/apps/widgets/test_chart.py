"""Chart: the JSON data block charts.js draws from, and the table with the same numbers."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from pyquery import PyQuery
from pyramid import testing
from pyramid.config import Configurator

from poser.apps.framework.application import Application, Step, StepGroup
from poser.apps.framework.widget import WidgetContext
from poser.apps.widgets.chart import (
    KINDS,
    MET_COLOUR,
    MISSING,
    PALETTE,
    TARGET_COLOUR,
    UNDER_COLOUR,
    Chart,
    Target,
)

CHART_JS = "/static/poser/vendor/chartjs/chart.umd.min.js"
CHARTS_JS = "/static/poser/js/charts.js"


@pytest.fixture
def config() -> Iterator[Configurator]:
    with testing.testConfig(settings={"poser.environment": "development"}) as config:
        config.include("poser.apps.site.layout")
        yield config


def fixed(*rows: tuple[Any, ...]) -> Any:
    return lambda ctx: list(rows)


def markup(config: Configurator, *charts: Chart) -> list[str]:
    """Each chart rendered as the step page would: on one step, with its own context."""
    step = Step("Review", "review", widgets=charts)
    application = Application("Sample", "sample", step_groups=[StepGroup("G", [step])])
    request = testing.DummyRequest()
    ctx = WidgetContext(request, application, step, SimpleNamespace(id=1), "owner")
    return [str(chart.render(ctx.for_widget(chart))) for chart in charts]


def render(config: Configurator, *charts: Chart) -> list[PyQuery]:
    return [PyQuery(f"<div>{html}</div>", parser="html") for html in markup(config, *charts)]


def data_block(html: PyQuery, name: str) -> dict[str, Any]:
    """The JSON in the chart's data-chart attribute, which charts.js draws from."""
    figure = html(f"figure[data-testid=chart-{name}]")
    assert figure.length == 1
    return json.loads(figure.attr("data-chart"))


def table(html: PyQuery) -> list[list[str]]:
    return [[cell.text_content() for cell in row] for row in html("table tr")]


def margins(**options: Any) -> Chart:
    return Chart(
        "margins",
        title="Margin by department",
        kind="bar",
        query=fixed(
            ("Produce", Decimal("31.50"), Decimal("29.25")),
            ("Deli", Decimal("24.10"), None),
            ("Bakery", Decimal("1040.00"), 38),
        ),
        series=("This week", "Last week"),
        x_label="Department",
        y_label="Margin",
        value_format="{:,.2f} %",
        **options,
    )


def test_the_data_block_holds_the_numbers_and_the_table_repeats_them(
    config: Configurator,
) -> None:
    (html,) = render(config, margins())
    data = data_block(html, "margins")
    assert data["kind"] == "bar"
    assert data["labels"] == ["Produce", "Deli", "Bakery"]
    assert [entry["name"] for entry in data["series"]] == ["This week", "Last week"]
    assert data["series"][0]["values"] == [31.5, 24.1, 1040.0]
    assert data["series"][1]["values"] == [29.25, None, 38]
    assert data["series"][0]["formatted"] == ["31.50 %", "24.10 %", "1,040.00 %"]
    assert data["series"][1]["formatted"] == ["29.25 %", MISSING, "38.00 %"]
    assert (data["x_label"], data["y_label"]) == ("Department", "Margin")
    assert data["format"] == {
        "prefix": "",
        "suffix": " %",
        "grouping": ",",
        "decimals": 2,
        "percent": False,
    }
    assert table(html) == [
        ["Department", "This week", "Last week"],
        ["Produce", "31.50 %", "29.25 %"],
        ["Deli", "24.10 %", MISSING],
        ["Bakery", "1,040.00 %", "38.00 %"],
    ]
    assert html("table caption").text() == "Margin by department"
    assert html("tbody th[scope=row]").length == 3


def test_the_canvas_is_hidden_until_charts_js_draws_it_and_nothing_is_inline(
    config: Configurator,
) -> None:
    (html,) = render(config, margins())
    figure = html("figure[data-poser-chart=bar]")
    assert figure.length == 1
    canvas = figure("canvas")
    assert canvas.length == 1
    # No id: htmx would copy an old canvas's style attribute onto a new one with its id.
    assert canvas.attr("id") is None
    assert canvas.attr("role") == "img"
    assert "Margin by department" in canvas.attr("aria-label")
    assert "d-none" in canvas.parent().attr("class").split()
    # Without JavaScript the table is what shows: nothing hides it in the markup.
    assert "visually-hidden" not in figure(".poser-chart-table").attr("class").split()
    assert not html("[style]")
    assert not html("style")
    # No script at all: the layout loads the two script files; a data block would be
    # dropped by htmx from swapped content.
    assert not html("script")


def test_a_label_cannot_break_out_of_the_data_attribute(config: Configurator) -> None:
    label = "Deli' onclick='x' </script><script>alert(1)</script><!-- & \"quoted\""
    chart = Chart("tricky", kind="bar", query=fixed((label, 1), ("x", 2)))
    (raw,) = markup(config, chart)
    attribute = raw.split("data-chart='", 1)[1].split("'", 1)[0]
    # tojson writes < > & ' as \u003c \u003e \u0026 \u0027: the single-quoted attribute
    # ends where the JSON ends, and no tag can start inside it.
    assert attribute.startswith("{")
    assert attribute.endswith("}")
    assert not set("<>&'") & set(attribute)
    assert "\\u003c/script\\u003e" in attribute
    assert raw.count("<script") == 0  # nothing from the label
    (html,) = render(config, chart)
    assert data_block(html, "tricky")["labels"] == [label, "x"]
    assert not html("[onclick]")
    assert html("tbody th")[0].text_content() == label  # escaped HTML, read back as text


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_renders_its_data_and_table(config: Configurator, kind: str) -> None:
    rows = [(1, 2), (Decimal("2.5"), Decimal("3.25")), (4, 0.5)]
    chart = Chart("k", title="Kind", kind=kind, query=fixed(*rows), value_format="{:.2f}")
    (html,) = render(config, chart)
    data = data_block(html, "k")
    assert data["kind"] == kind
    assert html(f"figure[data-poser-chart={kind}] canvas").length == 1
    assert [entry["name"] for entry in data["series"]] == ["Kind"]
    if kind == "scatter":
        assert data["series"][0]["values"] == [
            {"x": 1, "y": 2},
            {"x": 2.5, "y": 3.25},
            {"x": 4, "y": 0.5},
        ]
        header = "x"
    else:
        assert data["series"][0]["values"] == [2, 3.25, 0.5]
        header = "Label"
    assert data["labels"] == ["1", "2.5", "4"]
    assert table(html) == [
        [header, "Kind"],
        ["1", "2.00"],
        ["2.5", "3.25"],
        ["4", "0.50"],
    ]


def test_no_rows_say_so_instead_of_an_empty_chart(config: Configurator) -> None:
    (html,) = render(config, Chart("empty", kind="bar", query=fixed()))
    assert html("[data-testid=chart-empty-empty]").text() == "No data to chart yet."
    assert not html("canvas")
    assert not html("table")
    said = Chart("quiet", kind="bar", query=fixed(), empty="Nothing changed.")
    (html,) = render(config, said)
    assert html("[data-testid=chart-quiet-empty]").text() == "Nothing changed."


def test_missing_and_non_finite_values_are_gaps(config: Configurator) -> None:
    chart = Chart("gaps", kind="line", query=fixed(("a", None), ("b", float("nan")), (None, 3)))
    (html,) = render(config, chart)
    data = data_block(html, "gaps")
    assert data["series"][0]["values"] == [None, None, 3]
    assert data["labels"] == ["a", "b", MISSING]
    assert table(html)[1:] == [["a", MISSING], ["b", MISSING], [MISSING, "3"]]


def test_the_axis_steps_by_whole_numbers_when_every_value_is_whole(config: Configurator) -> None:
    counts = Chart("counts", kind="bar", query=fixed(("a", 1), ("b", None), ("c", 2)))
    prices = Chart("prices", kind="bar", query=fixed(("a", 1), ("b", Decimal("2.50"))))
    counts_html, prices_html = render(config, counts, prices)
    assert data_block(counts_html, "counts")["whole"] is True
    assert data_block(prices_html, "prices")["whole"] is False


def test_percent_formats_and_prefixes_reach_the_axis(config: Configurator) -> None:
    share = Chart("share", kind="pie", query=fixed(("a", 0.25)), value_format="{:.0%}")
    money = Chart("money", kind="bar", query=fixed(("a", 1234.5)), value_format="${:,.2f}")
    share_html, money_html = render(config, share, money)
    assert data_block(share_html, "share")["series"][0]["formatted"] == ["25%"]
    assert data_block(share_html, "share")["format"]["percent"] is True
    assert data_block(money_html, "money")["series"][0]["formatted"] == ["$1,234.50"]
    assert data_block(money_html, "money")["format"]["prefix"] == "$"


@pytest.mark.parametrize("kind", ["", "Bar", "donut", "histogram"])
def test_a_bad_kind_raises_at_construction(kind: str) -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        Chart("c", kind=kind, query=fixed())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "pie", "series": ("a", "b")}, "a pie chart has one series"),
        ({"value_format": "{:d}"}, "bad value_format"),
        ({"value_format": "{}/{}"}, "bad value_format"),
        ({"value_format": "no field"}, "exactly one"),
        ({"value_format": "{:>10.2f}"}, "may only give"),
        ({"value_format": "{!r}"}, "may only give"),
    ],
)
def test_bad_options_raise_at_construction(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Chart("c", query=fixed(), **{"kind": "bar", **options})


@pytest.mark.parametrize("name", ["two words", "1st", "a/b", ""])
def test_the_name_must_fit_an_element_id(name: str) -> None:
    with pytest.raises(ValueError, match="name must start with a letter"):
        Chart(name, kind="bar", query=fixed())


def test_the_query_must_be_callable() -> None:
    with pytest.raises(TypeError, match="query must be a callable"):
        Chart("c", kind="bar", query=[("a", 1)])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rows", "error", "message"),
    [
        ([("a", 1, 2)], ValueError, "row 1 has 3 columns, expected 2"),
        ([("a", 1), ("b",)], ValueError, "row 2 has 1 columns"),
        ([("a", "12")], TypeError, "'12' is not a number"),
        ([("a", True)], TypeError, "True is not a number"),
    ],
)
def test_rows_that_do_not_fit_raise(
    config: Configurator, rows: Sequence[tuple[Any, ...]], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        render(config, Chart("c", kind="bar", query=fixed(*rows)))


def test_a_scatter_x_must_be_a_number(config: Configurator) -> None:
    with pytest.raises(TypeError, match="'Mon' is not a number"):
        render(config, Chart("c", kind="scatter", query=fixed(("Mon", 1))))


def test_series_and_slices_take_the_colour_blind_safe_palette_in_order(
    config: Configurator,
) -> None:
    html, pie = render(
        config,
        margins(),
        Chart("share", kind="pie", query=fixed(("Dairy", 3), ("Deli", 2), ("Bakery", 1))),
    )
    series = data_block(html, "margins")["series"]
    assert [entry["colour"] for entry in series] == list(PALETTE[:2])
    assert len(set(PALETTE)) == len(PALETTE) == 8
    slices = data_block(pie, "share")["series"][0]
    assert slices["colours"] == list(PALETTE[:3])
    assert data_block(html, "margins")["legend"] == []  # Chart.js names each series


def target_chart() -> Chart:
    return Chart(
        "margins",
        title="Average margin by department",
        kind="bar",
        query=fixed(
            ("Dairy", Decimal("50.00"), Decimal("55.00")),
            ("Health", Decimal("75.00"), Decimal("30")),
            ("Deli", Decimal("30.00"), Decimal("30")),
            ("(no department)", None, Decimal("30")),
        ),
        series=("Average margin", "Target"),
        value_format="{:,.2f} %",
        target=Target("Target"),
    )


def test_a_target_is_a_line_and_bars_under_it_take_another_colour(config: Configurator) -> None:
    (html,) = render(config, target_chart())
    data = data_block(html, "margins")
    bars, targets = data["series"]
    assert (bars["role"], targets["role"]) == ("bar", "line")
    assert targets["colour"] == TARGET_COLOUR
    assert bars["colours"] == [UNDER_COLOUR, MET_COLOUR, MET_COLOUR, MET_COLOUR]
    assert UNDER_COLOUR != MET_COLOUR
    assert {UNDER_COLOUR, MET_COLOUR, TARGET_COLOUR} <= set(PALETTE)
    assert data["legend"] == [
        {"text": "At or above target", "colour": MET_COLOUR, "mark": "bar"},
        {"text": "Under target", "colour": UNDER_COLOUR, "mark": "bar"},
        {"text": "Target", "colour": TARGET_COLOUR, "mark": "line"},
    ]
    # The table says in words what the colours say.
    assert table(html) == [
        ["Label", "Average margin", "Target", "Against target"],
        ["Dairy", "50.00 %", "55.00 %", "Under target"],
        ["Health", "75.00 %", "30.00 %", "At or above target"],
        ["Deli", "30.00 %", "30.00 %", "At or above target"],
        ["(no department)", MISSING, "30.00 %", MISSING],
    ]
    assert "under their target" in html("canvas").attr("aria-label")


@pytest.mark.parametrize(
    "options",
    [
        {"kind": "line", "series": ("Margin", "Target")},
        {"kind": "bar", "series": ("Margin", "Goal")},
        {"kind": "bar", "series": ("Margin", "Target", "Last year")},
    ],
)
def test_a_target_is_one_of_a_bar_charts_two_series(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="a target is one of a bar chart's two series"):
        Chart("margins", query=fixed(), target=Target("Target"), **options)
