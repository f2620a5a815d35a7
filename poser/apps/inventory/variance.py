"""An inventory count's variance for its Review and Report: the subtotals by department
with their total, a chart of the variance value by department, and the recount list a
scanner takes back (plain text, one UPC a line) with a CSV beside it for people.

All read the rows whose apply counts (compared with on-hand and not left out):
``poser.models.data_extraction.inventory_review``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from sqlalchemy.orm import Session

from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.gui.batches import current_batch
from poser.apps.site.downloads import content_disposition
from poser.apps.widgets.chart import Chart
from poser.apps.widgets.grid_cells import format_number
from poser.models.data_extraction.inventory_review import department_subtotals, recount_rows
from poser.models.orm import Batch
from poser.utils.table_writers import csv_rows

BATCH_TYPE = "inventory"
#: The recount list's CSV: its header, in words.
RECOUNT_HEADER = ("Section", "UPC", "Description", "On-hand before", "Counted", "Variance")


def shown_count(ctx: WidgetContext) -> Batch | None:
    """The count the steps show, once it has been read."""
    batch = current_batch(ctx, BATCH_TYPE)
    return batch if batch is not None and batch.status in ("populated", "executed") else None


def _decimal(value: Any) -> Decimal:
    # SQLite sums decimals as floats: the page reads them as the Decimals they are.
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value or 0)


@dataclass(frozen=True)
class Subtotal:
    """One department's line (or the total's): rows, flagged, variance in units, at
    cost and at retail."""

    department: str
    rows: int
    flagged: int
    units: Decimal
    cost: Decimal
    retail: Decimal

    def cells(self) -> dict[str, str]:
        """The line as the page reads it: counts grouped, units as counted, money to
        the cent with its sign."""
        return {
            "rows": f"{self.rows:,}",
            "flagged": f"{self.flagged:,}",
            "units": format_number(self.units, "units_change"),
            "cost": format_number(self.cost, "money_change"),
            "retail": format_number(self.retail, "money_change"),
        }


def subtotals(ctx: WidgetContext, batch: Batch) -> tuple[list[Subtotal], Subtotal]:
    """Each department's subtotal (those without one last) and the total of them, read
    once a request (the chart and the table show the same)."""
    request = getattr(ctx, "request", None)
    cache: dict[tuple[int, int], Any] = (
        request.__dict__.setdefault("poser.inventory_subtotals", {}) if request else {}
    )
    key = (batch.id, batch.version)
    if key not in cache:
        cache[key] = count_subtotals(ctx.dbsession, batch)
    return cache[key]


def count_subtotals(dbsession: Session, batch: Batch) -> tuple[list[Subtotal], Subtotal]:
    """Each department's subtotal (those without one last) and the total of them: what
    the pages and `poser inventory show` say of a count."""
    lines = [
        Subtotal(
            department=row.department if row.number is None else f"{row.number} {row.department}",
            rows=int(row.rows),
            flagged=int(row.flagged),
            units=_decimal(row.variance_units),
            cost=_decimal(row.variance_cost),
            retail=_decimal(row.variance_retail),
        )
        for row in dbsession.execute(department_subtotals(batch.id))
    ]
    total = Subtotal(
        department="Total",
        rows=sum(line.rows for line in lines),
        flagged=sum(line.flagged for line in lines),
        units=sum((line.units for line in lines), Decimal(0)),
        cost=sum((line.cost for line in lines), Decimal(0)),
        retail=sum((line.retail for line in lines), Decimal(0)),
    )
    return lines, total


@dataclass
class DepartmentSubtotals(Widget):
    """The count's variance by department, with the total line."""

    template: str = field(default="widgets/inventory_subtotals.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = shown_count(ctx)
        if batch is None:
            return {"batch": None}
        lines, total = subtotals(ctx, batch)
        return {"batch": batch, "lines": lines, "total": total}


def variance_chart(name: str, title: str, batch_type: str = BATCH_TYPE, width: int = 12) -> Chart:
    """A bar chart of the variance value by department, at cost and at retail."""

    def query(ctx: WidgetContext) -> list[tuple[str, Decimal, Decimal]]:
        batch = shown_count(ctx)
        if batch is None:
            return []
        lines, _ = subtotals(ctx, batch)
        if not any(line.cost or line.retail for line in lines):
            return []  # every count matches on-hand: no bar to draw
        return [(line.department, line.cost, line.retail) for line in lines]

    return Chart(
        name=name,
        title=title,
        kind="bar",
        query=query,
        series=("At cost", "At retail"),
        x_label="Department",
        y_label="Variance",
        value_format="{:,.2f}",
        width=width,
        empty="No variance to chart: every count matches on-hand.",
    )


def _units(value: Any) -> str:
    return format_number(_decimal(value), "units").replace(",", "")


@dataclass
class RecountList(Widget):
    """The flagged rows still in the apply, to count again: a plain text file of their
    UPCs (one a line, as a scanner takes a list back) and a CSV by section."""

    template: str = field(default="widgets/inventory_recount.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = shown_count(ctx)
        if batch is None:
            return {"batch": None}
        _, total = subtotals(ctx, batch)  # its flagged rows are the list's
        return {
            "batch": batch,
            "flagged": total.flagged,
            "text_name": self.file_name(batch, "txt"),
            "csv_name": self.file_name(batch, "csv"),
        }

    def actions(self) -> dict[str, WidgetAction]:
        return {"text": WidgetAction(self.text), "csv": WidgetAction(self.csv)}

    @staticmethod
    def file_name(batch: Batch, extension: str) -> str:
        return f"recount-batch-{batch.id}.{extension}"

    def _rows(self, ctx: WidgetContext) -> tuple[Batch, list[Any]]:
        batch = shown_count(ctx)
        if batch is None:
            raise HTTPNotFound("There is no count to recount: upload one first.")
        return batch, ctx.dbsession.execute(recount_rows(batch.id)).all()

    def text(self, ctx: WidgetContext) -> Response:
        """The UPCs, one a line, each once, in the order of the list (by section)."""
        batch, rows = self._rows(ctx)
        return _attachment(recount_text(rows), "text/plain", self.file_name(batch, "txt"))

    def csv(self, ctx: WidgetContext) -> Response:
        """The list by section, with the description and what was counted."""
        batch, rows = self._rows(ctx)
        lines = (
            (
                row.section,
                row.upc,
                row.description or "",
                _units(row.on_hand_before),
                _units(row.counted_units),
                _units(row.variance_units),
            )
            for row in rows
        )
        body = b"".join(csv_rows(RECOUNT_HEADER, lines))
        return _attachment(body, "text/csv", self.file_name(batch, "csv"))


def recount_text(rows: Iterable[Any]) -> bytes:
    """The recount list as a scanner takes it back: the UPCs of ``recount_rows``, one a
    line, each once, in the list's order (by section); the page's download and
    `poser inventory show --recount-list` write it."""
    upcs = dict.fromkeys(row.upc for row in rows if row.upc)
    return "".join(f"{upc}\r\n" for upc in upcs).encode("ascii", "replace")


def _attachment(body: bytes, content_type: str, name: str) -> Response:
    response = Response(body=body, content_type=content_type, charset="utf-8")
    response.headers["Content-Disposition"] = content_disposition(name)
    return response
