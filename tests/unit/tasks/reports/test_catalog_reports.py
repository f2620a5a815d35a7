"""The first reports' rows against the small store's answers, worked out by hand
(tests/unit/tasks/reports/small_store.py has the table they come from)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from poser.tasks.reports import get_report
from poser.tasks.reports.catalog import NO_DEPARTMENT
from tests.unit.tasks.reports.small_store import make_small_store, upc


def rows(dbsession: Session, name: str, **values: Any) -> list[tuple[Any, ...]]:
    data_set, _ = make_small_store(dbsession)
    report = get_report(name)
    typed = {**report.values_from_json({}), **values}
    return [tuple(row) for row in report.rows(data_set, typed)]


def test_margin_by_department_against_its_own_target_else_the_data_sets(dbsession: Session) -> None:
    # Dairy: 50, 25 and 50 (the inactive product has a margin too): 125 / 3 = 41.67,
    # over its own 40. Produce: -25 and 50 (one product unpriced): 12.50, under the
    # data set's saved 35. Product 5 is in no department and has no margin.
    assert rows(dbsession, "margin_by_department") == [
        (
            1,
            "Dairy",
            3,
            3,
            Decimal("41.67"),
            Decimal("40.00"),
            "Department",
            Decimal("1.67"),
            "At or above target",
        ),
        (
            2,
            "Produce",
            3,
            2,
            Decimal("12.50"),
            Decimal("35"),
            "Data set",
            Decimal("-22.50"),
            "Under target",
        ),
        (None, NO_DEPARTMENT, 1, 0, None, Decimal("35"), "Data set", None, "No margin"),
    ]


def test_inventory_valuation_at_cost_and_retail_by_department(dbsession: Session) -> None:
    # Dairy: 4 x 5.00 + 2.5 x 3.00 = 27.50 at cost, 4 x 10 + 2.5 x 4 = 50.00 at retail.
    # Produce: 10 x 2.50 + 3 x 1.00 + 7 x 1.50 = 38.50; 10 x 2 + 7 x 3 = 41.00, and
    # product 4 (3 in stock) has no price. Products 5 and 7 have none in stock.
    assert rows(dbsession, "inventory_valuation") == [
        (1, "Dairy", 2, Decimal("6.5"), Decimal("27.50"), Decimal("50.00"), 0, 0),
        (2, "Produce", 3, Decimal("20"), Decimal("38.50"), Decimal("41.00"), 0, 1),
        (None, "All departments", 5, Decimal("26.5"), Decimal("66.00"), Decimal("91.00"), 0, 1),
    ]


def test_products_needing_attention_say_why(dbsession: Session) -> None:
    assert [(row[0], row[-1]) for row in rows(dbsession, "products_needing_attention")] == [
        (upc(3), "Sells under its cost"),
        (upc(4), "No price"),
        (upc(5), "No cost; No department"),
        (upc(6), "Inactive with stock"),
    ]


def test_products_needing_attention_for_one_reason(dbsession: Session) -> None:
    found = rows(dbsession, "products_needing_attention", reason="no_department")
    assert found == [
        (
            upc(5),
            "Product 5",
            NO_DEPARTMENT,
            "",
            Decimal("6.00"),
            None,
            None,
            Decimal("0"),
            "Yes",
            "No department",
        )
    ]


def test_cost_changes_in_a_period_by_vendor_and_batch(dbsession: Session) -> None:
    found = rows(dbsession, "cost_changes", start=date(2026, 3, 1), end=date(2026, 3, 5))
    # ACME's batch 7 (in the order they were made), then BETA's edit. The change of
    # 28 February and the price change of 3 March are not in it.
    assert [(row[0], row[1], row[3], row[5], row[6], row[7], row[8], row[9]) for row in found] == [
        (
            "2026-03-01 09:00",
            upc(3),
            "ACME",
            "#7",
            Decimal("2.00"),
            Decimal("2.50"),
            Decimal("0.50"),
            Decimal("25.00"),
        ),
        (
            "2026-03-02 10:00",
            upc(1),
            "ACME",
            "#7",
            Decimal("4.00"),
            Decimal("5.00"),
            Decimal("1.00"),
            Decimal("25.00"),
        ),
        (
            "2026-03-05 23:59",
            upc(2),
            "BETA",
            "",
            Decimal("3.20"),
            Decimal("3.00"),
            Decimal("-0.20"),
            Decimal("-6.25"),
        ),
    ]
    first, _, last = found
    assert (first[10], first[11], first[12], first[13]) == (Decimal("8.00"), Decimal("10.00"), 4, 4)
    assert first[14].startswith("alice")
    assert first[15] == ""
    assert (last[4], last[14], last[15]) == ("Beta Supply", "", "New deal")


def test_cost_changes_the_last_day_is_included_and_the_next_is_not(dbsession: Session) -> None:
    found = rows(dbsession, "cost_changes", start=date(2026, 3, 2), end=date(2026, 3, 4))
    assert [row[1] for row in found] == [upc(1)]
