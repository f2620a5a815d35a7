"""Poser's first reports, on a Products data set: margin by department, cost changes
over a period, inventory valuation, and products needing attention.

Each is a `Report` declaration: its parameters, its columns and a function that streams
its rows (``yield_per``: a server-side cursor on PostgreSQL). Its form, its run as a
job, its files and its pages come with `register_report`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from poser.models.data_extraction.parameters import stored_parameters
from poser.models.data_extraction.reports import (
    CHUNK,
    attention_rows,
    cost_change_rows,
    margin_rows,
)
from poser.models.data_extraction.valuation import valuation_by_department
from poser.models.orm import DataSet
from poser.tasks.reports import Report, ReportColumn, register_report
from poser.tasks.sessions import session_of
from poser.utils.parameters import Parameter, ParameterGroup

#: The data set's target when it has saved none: the Products pricing parameter's default.
DATA_SET_TARGET = Decimal("30")
NO_DEPARTMENT = "(no department)"


def _stream(session: Session, query: Any) -> Iterator[Any]:
    if session.get_bind().dialect.name == "postgresql":
        # A report reads every row: plan for all of them, not for the first tenth a
        # cursor's plan favours. Products needing attention over a million products
        # read the UPC index through (2.7 s) instead of a scan and a sort (0.5 s).
        session.execute(text("SET LOCAL cursor_tuple_fraction = 1"))
    # Closed however the reading ends: a printable page's template that fails half way
    # leaves no server-side cursor open (run.py closes the rows).
    with session.execute(query.execution_options(yield_per=CHUNK)) as result:
        yield from result


def data_set_target(data_set: DataSet) -> Decimal:
    """The data set's saved pricing target (the Products parameter), else 30%."""
    stored = stored_parameters(session_of(data_set), data_set.id).get("target_margin")
    try:
        return Decimal(str(stored)) if stored is not None else DATA_SET_TARGET
    except ArithmeticError:
        return DATA_SET_TARGET


# -- margin by department ---------------------------------------------------------------


def _margins(data_set: DataSet, values: Mapping[str, Any]) -> Iterator[Sequence[Any]]:
    fallback = data_set_target(data_set)
    for row in _stream(session_of(data_set), margin_rows(data_set.id)):
        own = row.own_target is not None
        target = row.own_target if own else fallback
        average = row.average_margin
        if average is None:
            difference, against = None, "No margin"
        else:
            difference = average - target
            against = "Under target" if average < target else "At or above target"
        yield (
            row.number,
            row.department or NO_DEPARTMENT,
            row.products,
            row.with_margin,
            average,
            target,
            "Department" if own else "Data set",
            difference,
            against,
        )


MARGIN_BY_DEPARTMENT = register_report(
    Report(
        name="margin_by_department",
        title="Margin by department",
        description="Each department's average margin against its target: the "
        "department's own, else the data set's pricing target.",
        columns=[
            ReportColumn("number", "Department number", "int"),
            ReportColumn("department", "Department"),
            ReportColumn("products", "Products", "int"),
            ReportColumn("with_margin", "Products with a margin", "int"),
            ReportColumn("average_margin", "Average margin %", "percent"),
            ReportColumn("target", "Target margin %", "percent"),
            ReportColumn("target_from", "Target set by"),
            ReportColumn("difference", "Difference (points)", "percent"),
            ReportColumn("against_target", "Against target"),
        ],
        rows=_margins,
    )
)


# -- cost changes over a period ------------------------------------------------------------


def _period(values: Mapping[str, Any]) -> tuple[dt.date, dt.date]:
    end = values.get("end") or dt.datetime.now(dt.UTC).date()
    return values["start"], end


def _check_period(values: Mapping[str, Any]) -> str | None:
    start, end = _period(values)
    if start is not None and end < start:
        return "The period ends before it starts: give a To date on or after the From date."
    return None


def _cost_changes(data_set: DataSet, values: Mapping[str, Any]) -> Iterator[Sequence[Any]]:
    start, end = _period(values)
    since = dt.datetime.combine(start, dt.time(), dt.UTC)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)
    for row in _stream(session_of(data_set), cost_change_rows(data_set.id, since, until)):
        old, new = row.old_unit_cost, row.new_unit_cost
        change = new - old if old is not None and new is not None else None
        percent = round(change * 100 / old, 2) if change is not None and old else None
        yield (
            row.changed_at.strftime("%Y-%m-%d %H:%M"),
            row.upc,
            row.description,
            row.vendor_code or "",
            row.vendor or "(vendor deleted)",
            f"#{row.batch_id}" if row.batch_id is not None else "",
            old,
            new,
            change,
            percent,
            row.old_case_cost,
            row.new_case_cost,
            row.old_case_size,
            row.new_case_size,
            row.username or "",
            row.reason or "",
        )


COST_CHANGES = register_report(
    Report(
        name="cost_changes",
        title="Cost changes",
        description="Vendors' cost changes logged in the period, old and new, by vendor "
        "and by the batch that made them.",
        parameters=ParameterGroup(
            "report",
            "Period",
            [
                Parameter("start", "From", "date", help="The first day of the period (UTC)."),
                Parameter(
                    "end",
                    "To",
                    "date",
                    required=False,
                    help="The last day of the period, included; empty: today.",
                ),
            ],
        ),
        columns=[
            ReportColumn("changed_at", "Changed (UTC)"),
            ReportColumn("upc", "UPC"),
            ReportColumn("description", "Description"),
            ReportColumn("vendor_code", "Vendor code"),
            ReportColumn("vendor", "Vendor"),
            ReportColumn("batch", "Batch"),
            ReportColumn("old_unit_cost", "Old unit cost", "cost"),
            ReportColumn("new_unit_cost", "New unit cost", "cost"),
            ReportColumn("change", "Change", "cost"),
            ReportColumn("change_percent", "Change %", "percent"),
            ReportColumn("old_case_cost", "Old case cost", "money"),
            ReportColumn("new_case_cost", "New case cost", "money"),
            ReportColumn("old_case_size", "Old case size", "int"),
            ReportColumn("new_case_size", "New case size", "int"),
            ReportColumn("changed_by", "Changed by"),
            ReportColumn("reason", "Why"),
        ],
        rows=_cost_changes,
        check=_check_period,
        period=("start", "end"),
    )
)


# -- inventory valuation --------------------------------------------------------------------


def _valuation(data_set: DataSet, values: Mapping[str, Any]) -> Iterator[Sequence[Any]]:
    totals = [0, Decimal(0), Decimal(0), Decimal(0), 0, 0]
    for row in _stream(session_of(data_set), valuation_by_department(data_set.id)):
        figures = (
            row.products,
            row.units,
            row.value_at_cost,
            row.value_at_retail,
            row.without_cost,
            row.without_price,
        )
        totals = [total + (figure or 0) for total, figure in zip(totals, figures, strict=True)]
        yield (row.number, row.department or NO_DEPARTMENT, *figures)
    yield (None, "All departments", *totals)


INVENTORY_VALUATION = register_report(
    Report(
        name="inventory_valuation",
        title="Inventory valuation",
        description="The stock on hand by department, valued at the preferred cost and "
        "at the regular price; products in stock without a cost or a price are counted.",
        columns=[
            ReportColumn("number", "Department number", "int"),
            ReportColumn("department", "Department"),
            ReportColumn("products", "Products in stock", "int"),
            ReportColumn("units", "Units on hand", "quantity"),
            ReportColumn("value_at_cost", "Value at cost", "money"),
            ReportColumn("value_at_retail", "Value at retail", "money"),
            ReportColumn("without_cost", "In stock without a cost", "int"),
            ReportColumn("without_price", "In stock without a price", "int"),
        ],
        rows=_valuation,
    )
)


# -- products needing attention -----------------------------------------------------------

#: Why a product needs attention, in the words of the report and its form.
REASONS = {
    "no_price": "No price",
    "no_cost": "No cost",
    "negative_margin": "Sells under its cost",
    "no_department": "No department",
    "inactive_with_stock": "Inactive with stock",
}


def _reasons(row: Any) -> list[str]:
    found = []
    if row.active:
        found += ["no_price"] if row.regular_price is None else []
        found += ["no_cost"] if row.unit_cost is None else []
        found += ["negative_margin"] if row.margin is not None and row.margin < 0 else []
        found += ["no_department"] if row.department is None else []
    elif row.on_hand > 0:
        found.append("inactive_with_stock")
    return found


def _attention(data_set: DataSet, values: Mapping[str, Any]) -> Iterator[Sequence[Any]]:
    chosen = list(REASONS) if values["reason"] == "all" else [values["reason"]]
    for row in _stream(session_of(data_set), attention_rows(data_set.id, chosen)):
        needs = [REASONS[reason] for reason in _reasons(row) if reason in chosen]
        yield (
            row.upc,
            row.description,
            row.department or NO_DEPARTMENT,
            row.vendor_code or "",
            row.regular_price,
            row.unit_cost,
            row.margin,
            row.on_hand,
            "Yes" if row.active else "No",
            "; ".join(needs),
        )


NEEDING_ATTENTION = register_report(
    Report(
        name="products_needing_attention",
        title="Products needing attention",
        description="Active products without a price, a cost or a department, or selling "
        "under their cost, and inactive products still in stock.",
        parameters=ParameterGroup(
            "report",
            "Which products",
            [
                Parameter(
                    "reason",
                    "Which products",
                    "choice",
                    default="all",
                    choices=[("all", "All that need attention"), *REASONS.items()],
                ),
            ],
        ),
        columns=[
            ReportColumn("upc", "UPC"),
            ReportColumn("description", "Description"),
            ReportColumn("department", "Department"),
            ReportColumn("vendor_code", "Preferred vendor"),
            ReportColumn("regular_price", "Price", "money"),
            ReportColumn("unit_cost", "Unit cost", "cost"),
            ReportColumn("margin", "Margin %", "percent"),
            ReportColumn("on_hand", "On hand", "quantity"),
            ReportColumn("active", "Active"),
            ReportColumn("needs", "Needs"),
        ],
        rows=_attention,
    )
)
