"""Chart: a bar, line, pie or scatter chart of rows from models.data_extraction.

The page gets the numbers twice: as JSON in the chart's ``data-chart`` attribute
(data, never executed, so the strict CSP allows it; not a ``<script
type="application/json">`` block, which htmx drops from swapped content), that
``static/js/charts.js`` draws with Chart.js on a ``<canvas>``, and as a plain table.
Without JavaScript the table is all there is; once the chart is drawn, the table is
hidden visually but stays for screen readers.

Colours come from Okabe and Ito's palette, which people with any common colour-vision
deficiency tell apart: each series (each slice of a pie) its own. A bar chart with a
``Target`` draws that series as a dashed line over the bars and colours each bar by
whether it is under its target; its legend says what the colours mean, and the table
says it of each bar in words.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from poser.apps.framework.widget import Widget, WidgetContext

KINDS = ("bar", "line", "pie", "scatter")

#: What a missing value (None, NaN) shows as in the table and tooltips.
MISSING = "—"

#: Okabe and Ito's colour-blind-safe palette, in the order series take it.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
#: A target chart's colours: bars that meet their target, bars under it, the target.
MET_COLOUR, UNDER_COLOUR, TARGET_COLOUR = "#0072B2", "#D55E00", "#000000"

# A chart's name goes into attributes, test ids and URLs: keep it to what they take as is.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
# The part of a format spec that charts.js can repeat on the axis: grouping, precision
# and "f" or "%" (or nothing, Python's general format).
_SPEC = re.compile(r"(?P<grouping>[,_]?)(?:\.(?P<decimals>\d+))?(?P<type>[f%]?)\Z")


@dataclass(frozen=True)
class Target:
    """The series of a bar chart that holds each bar's target: drawn as a dashed line,
    and each bar coloured ``under`` or ``met`` by its value against it."""

    series: str
    under: str = "Under target"
    met: str = "At or above target"


@dataclass(kw_only=True)
class Chart(Widget):
    """A chart of ``query(ctx)``'s rows, with a table of the same numbers.

    Each row is a label (for ``scatter``: the x value) followed by one value per series:
    ``(label, value)`` for one series, ``(label, v1, v2, ...)`` with ``series`` naming
    each. A pie has one series. ``value_format`` is a Python format string with one
    field (``"{:,.2f} %"``, ``"${:,.2f}"``, ``"{:.0%}"``); it formats the table and the
    tooltips, and the value axis repeats it. ``target`` (a bar chart's) names the
    series that holds each bar's target (``Target``). ``empty`` is what shows instead
    when the query gives no row.
    """

    kind: str
    query: Callable[[WidgetContext], Iterable[Sequence[Any]]]
    series: Sequence[str] = ()
    x_label: str = ""
    y_label: str = ""
    value_format: str = "{:,}"
    target: Target | None = None
    empty: str = "No data to chart yet."
    template: str = field(default="widgets/chart.jinja2", repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"chart {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if not _NAME.match(self.name):
            raise ValueError(
                f"chart {self.name!r}: the name must start with a letter and hold only"
                " letters, digits, '-' and '_'"
            )
        if not callable(self.query):
            raise TypeError(f"chart {self.name!r}: query must be a callable of the context")
        self.series = tuple(self.series)
        if self.kind == "pie" and len(self.series) > 1:
            raise ValueError(f"chart {self.name!r}: a pie chart has one series")
        _axis_format(self.name, self.value_format)
        if self.target is not None and (
            self.kind != "bar" or len(self.series) != 2 or self.target.series not in self.series
        ):
            raise ValueError(
                f"chart {self.name!r}: a target is one of a bar chart's two series,"
                f" got {self.target.series!r} for {list(self.series)}"
            )

    @property
    def series_names(self) -> tuple[str, ...]:
        return tuple(self.series) or (self.y_label or self.title or self.name,)

    def format_value(self, value: float | int | Decimal | None) -> str:
        if value is None:
            return MISSING
        return self.value_format.format(value)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        rows = [tuple(row) for row in self.query(ctx)]
        return {"chart": self.chart_data(rows)}

    def chart_data(self, rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
        """What the template shows: the JSON data block and the table's rows."""
        names = self.series_names
        width = 1 + len(names)
        labels: list[str] = []
        xs: list[int | float | None] = []
        columns: list[list[int | float | None]] = [[] for _ in names]
        raw_columns: list[list[Any]] = [[] for _ in names]
        for number, row in enumerate(rows, start=1):
            if len(row) != width:
                raise ValueError(
                    f"chart {self.name!r}: row {number} has {len(row)} columns, expected"
                    f" {width} (a label and one value for each of {list(names)})"
                )
            label, *values = row
            if self.kind == "scatter":
                xs.append(_number(self.name, label))
            labels.append(MISSING if label is None else str(label))
            for index, value in enumerate(values):
                number_value = _number(self.name, value)
                columns[index].append(number_value)
                raw_columns[index].append(None if number_value is None else value)
        # Counts step by whole numbers on the value axis, never by "0.5 rows".
        whole = all(isinstance(value, int | None) for column in columns for value in column)
        series = [
            {
                "name": name,
                "values": (
                    [{"x": x, "y": y} for x, y in zip(xs, column, strict=True)]
                    if self.kind == "scatter"
                    else column
                ),
                "formatted": [self.format_value(value) for value in raw],
            }
            for name, column, raw in zip(names, columns, raw_columns, strict=True)
        ]
        legend, under = self._colour(series, len(labels))
        table = [
            (label, [entry["formatted"][index] for entry in series])
            for index, label in enumerate(labels)
        ]
        columns = (self.x_label or ("x" if self.kind == "scatter" else "Label"), *names)
        if self.target is not None:
            # The words the colours say, for whoever reads the table instead.
            for (_, cells), below in zip(table, under, strict=True):
                cells.append(self._against_target(below))
            columns = (*columns, "Against target")
        return {
            "data": {
                "kind": self.kind,
                "labels": labels,
                "series": series,
                "legend": legend,
                "x_label": self.x_label,
                "y_label": self.y_label,
                "format": _axis_format(self.name, self.value_format),
                "whole": whole,
            },
            "columns": columns,
            "table": table,
        }

    def _colour(
        self, series: list[dict[str, Any]], count: int
    ) -> tuple[list[dict[str, str]], list[bool | None]]:
        """Give each series (a pie: each slice) its colours. Returns the legend that says
        what they mean when the chart's own (an entry a series) would not, a target
        chart's, and whether each bar is under its target (None: a value is missing)."""
        for index, entry in enumerate(series):
            entry["colour"] = PALETTE[index % len(PALETTE)]
            entry["role"] = "bar" if self.kind == "bar" else self.kind
        if self.kind == "pie":
            series[0]["colours"] = [PALETTE[index % len(PALETTE)] for index in range(count)]
        if self.target is None:
            return [], []
        targets = next(entry for entry in series if entry["name"] == self.target.series)
        bars = next(entry for entry in series if entry is not targets)
        targets.update(role="line", colour=TARGET_COLOUR)
        under = [
            None if value is None or goal is None else value < goal
            for value, goal in zip(bars["values"], targets["values"], strict=True)
        ]
        bars["colour"] = MET_COLOUR
        bars["colours"] = [UNDER_COLOUR if below else MET_COLOUR for below in under]
        legend = [
            {"text": self.target.met, "colour": MET_COLOUR, "mark": "bar"},
            {"text": self.target.under, "colour": UNDER_COLOUR, "mark": "bar"},
            {"text": self.target.series, "colour": TARGET_COLOUR, "mark": "line"},
        ]
        return legend, under

    def _against_target(self, under: bool | None) -> str:
        assert self.target is not None
        if under is None:
            return MISSING
        return self.target.under if under else self.target.met


def _number(name: str, value: Any) -> int | float | None:
    """A JSON number (None for a missing or non-finite one); anything else is an error."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"chart {name!r}: {value!r} is not a number")
    if isinstance(value, int):
        return value
    number = float(value)
    return number if math.isfinite(number) else None


def _axis_format(name: str, value_format: str) -> dict[str, Any]:
    """The format string's prefix, suffix and spec, for charts.js to repeat on the axis."""
    try:
        parts = list(string.Formatter().parse(value_format))
        value_format.format(1234.5)
    except (ValueError, IndexError, KeyError) as error:
        raise ValueError(f"chart {name!r}: bad value_format {value_format!r}: {error}") from None
    fields = [part for part in parts if part[1] is not None]
    if len(fields) != 1 or fields[0][1] not in ("", "0"):
        raise ValueError(f"chart {name!r}: value_format needs exactly one '{{}}' field")
    _, _, spec, conversion = fields[0]
    match = _SPEC.match(spec or "")
    if conversion or match is None:
        raise ValueError(
            f"chart {name!r}: value_format {value_format!r}: the field may only give"
            " grouping (',' or '_'), a precision ('.2') and a type ('f' or '%')"
        )
    at = parts.index(fields[0])
    decimals = match["decimals"]
    return {
        "prefix": "".join(literal for literal, *_ in parts[: at + 1]),
        "suffix": "".join(literal for literal, *_ in parts[at + 1 :]),
        "grouping": match["grouping"] or "",
        "decimals": None if decimals is None else int(decimals),
        "percent": match["type"] == "%",
    }
