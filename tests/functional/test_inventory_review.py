"""Reviewing an inventory count through the whole app, real forms, CSRF on: the rows
grid with the variance in money, the subtotals by department and their chart, the
recount list's downloads, rows left out (flagged, moved since counted, lines of a file)
and put back, the revert of an applied count, and each refused with a message, never a
500, for bad input, viewers and non-members.

Small data set (tests.catalog_support): Dairy holds butter (unit cost 2.00) and milk
(3.00), Health soap (1.50) and other (1.00); every price is 5.00. On-hand before the
count: butter 10, milk 20, soap 5. Counted: butter 14 and milk 12 in aisle1.csv, soap 1
in aisle2.csv; the recount threshold is 5 units, so milk (-8) alone is flagged.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import Batch, InventoryBatchRow, Product
from poser.storage.settings import store_from_settings
from poser.tasks.batches import get_handler
from poser.tasks.batches.inventory.review import exclude_lines
from poser.tasks.datasets import set_member
from tests.catalog_support import UPC_BUTTER, UPC_MILK, UPC_SOAP
from tests.factories import make_user
from tests.functional.catalog_pages import form_posting_to
from tests.functional.conftest import login
from tests.functional.form_support import alerts
from tests.functional.inventory_pages import testapp as testapp
from tests.functional.inventory_pages import url
from tests.inventory_support import count
from tests.operator_words import internal_keys_in as internal_keys

AISLE1 = (
    "aisle1.csv",
    f"UPC,Qty,Section\n{UPC_BUTTER},14,Aisle 1\n{UPC_MILK},12,Aisle 1\n",
    "units",
)
AISLE2 = ("aisle2.csv", f"{UPC_SOAP},1,Aisle 2\n", "units")


@pytest.fixture
def counted(dbsession: Session, shop: dict[str, Any], settings: dict[str, Any]) -> Batch:
    """The shop's count of two files, read and committed."""
    for name, on_hand in (("butter", "10"), ("milk", "20"), ("soap", "5")):
        shop[name].on_hand = Decimal(on_hand)
    dbsession.flush()
    batch = count(shop, store_from_settings(settings), AISLE1, AISLE2, threshold_units="5")
    dbsession.commit()
    return batch


def _cells(page: Any, upc: str) -> list[str]:
    """The grid row of ``upc``'s cells, as read."""
    for row in page.pyquery("[data-testid=grid-rows] tbody tr").items():
        cells = [cell.text() for cell in row.find("td").items()]
        if upc in cells:
            return cells
    raise AssertionError(f"no row for {upc}")


def _excluded(dbsession: Session) -> dict[str, str | None]:
    dbsession.rollback()
    rows = select(InventoryBatchRow.upc_text, InventoryBatchRow.exclude_reason).where(
        InventoryBatchRow.excluded
    )
    return dict(dbsession.execute(rows).all())


def test_the_grid_shows_each_variance_in_units_and_money(testapp, shop, counted) -> None:
    login(testapp, "olga")
    page = testapp.get(url(shop["data_set"], "review"))
    milk = _cells(page, UPC_MILK)
    for shown in ("Aisle 1", "Milk", "20", "12", "-8", "-24.00", "-40.00", "On-hand down"):
        assert shown in milk, (shown, milk)
    assert "Recount: the variance is more than 5 units" in milk
    butter = _cells(page, UPC_BUTTER)
    assert butter[6:10] == ["+4", "+8.00", "+20.00", "On-hand up"]
    # A loss reads as one (red), a gain as one (green), as a catalog's costs do.
    tones = {
        badge.get("data-status"): badge.get("class")
        for badge in page.pyquery("[data-testid=grid-rows] tbody .status-badge")
    }
    assert tones["decrease"].endswith("tone-bad-soft")
    assert tones["increase"].endswith("tone-ok-soft")
    link = page.pyquery(f"[data-testid=grid-rows] tbody a:contains('{UPC_MILK}')")
    assert testapp.get(link.attr("href")).pyquery("main:contains('Milk')")
    assert not internal_keys(page.pyquery("main").text())
    # Sorted by the variance value, the largest loss first; filtered by status and flag.
    by_value = testapp.get(url(shop["data_set"], "review"), {"rows.sort": "variance_cost"})
    order = [
        row.find("td").eq(2).text()
        for row in by_value.pyquery("[data-testid=grid-rows] tbody tr").items()
    ]
    assert order == [UPC_MILK, UPC_SOAP, UPC_BUTTER]
    up = testapp.get(url(shop["data_set"], "review"), {"rows.status.in": "increase"})
    assert len(up.pyquery("[data-testid=grid-rows] tbody tr")) == 1
    flagged = testapp.get(url(shop["data_set"], "review"), {"rows.flagged.is": "yes"})
    assert [
        r.find("td").eq(2).text()
        for r in flagged.pyquery("[data-testid=grid-rows] tbody tr").items()
    ] == [UPC_MILK]
    health = testapp.get(
        url(shop["data_set"], "review"), {"rows.department_id.in": str(shop["soap"].department_id)}
    )
    assert [
        r.find("td").eq(2).text()
        for r in health.pyquery("[data-testid=grid-rows] tbody tr").items()
    ] == [UPC_SOAP]


def test_subtotals_by_department_are_the_sums_of_the_rows_and_the_chart_reads_them(
    testapp, shop, counted
) -> None:
    login(testapp, "olga")
    page = testapp.get(url(shop["data_set"], "review"))
    table = page.pyquery("[data-testid=department-subtotals]")
    lines = [
        [cell.text() for cell in row.children().items()] for row in table.find("tbody tr").items()
    ]
    # By hand: Dairy is butter (+4, +4 x 2.00, +4 x 5.00) and milk (-8, -8 x 3.00, -8 x
    # 5.00); Health is soap (-4, -4 x 1.50, -4 x 5.00).
    assert lines == [
        ["1 Dairy", "2", "1", "-4", "-16.00", "-20.00"],
        ["2 Health", "1", "0", "-4", "-6.00", "-20.00"],
    ]
    total = [cell.text() for cell in table.find("[data-testid=subtotal-total]").children().items()]
    assert total == ["Total", "3", "1", "-8", "-22.00", "-40.00"]
    chart = json.loads(page.pyquery("[data-testid=chart-variance]").attr("data-chart"))
    assert chart["labels"] == ["1 Dairy", "2 Health"]
    assert [entry["name"] for entry in chart["series"]] == ["At cost", "At retail"]
    assert chart["series"][0]["values"] == [-16.0, -6.0]
    assert chart["series"][1]["values"] == [-20.0, -20.0]


def test_the_recount_list_downloads_for_a_scanner_and_as_a_csv(testapp, shop, counted) -> None:
    login(testapp, "olga")
    page = testapp.get(url(shop["data_set"], "review"))
    assert "1 row flagged for recount: count them" in page.pyquery("[data-testid=recount]").text()
    text = testapp.get(page.pyquery("[data-testid=recount-text]").attr("href"))
    assert text.content_type == "text/plain"
    assert text.headers["Content-Disposition"].startswith("attachment")
    assert f"recount-batch-{counted.id}.txt" in text.headers["Content-Disposition"]
    assert text.body == f"{UPC_MILK}\r\n".encode()
    table = testapp.get(page.pyquery("[data-testid=recount-csv]").attr("href"))
    assert table.content_type == "text/csv"
    assert f"recount-batch-{counted.id}.csv" in table.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(table.body.decode("utf-8-sig"))))
    assert rows == [
        ["Section", "UPC", "Description", "On-hand before", "Counted", "Variance"],
        ["Aisle 1", UPC_MILK, "Milk", "20", "12", "-8"],
    ]


def test_flagged_rows_and_lines_are_left_out_with_a_reason_and_put_back(
    testapp, shop, counted, dbsession
) -> None:
    login(testapp, "olga")
    review = url(shop["data_set"], "review")
    form = form_posting_to(testapp.get(review), "/control/exclude_flagged")
    form["reason"] = "Recount Monday"
    page = form.submit(status=303).follow()
    assert "Excluded 1 row, flagged: it will not be applied." in alerts(page, "success")
    assert _excluded(dbsession) == {UPC_MILK: "Recount Monday"}
    assert "Recount Monday (1 row)" in page.pyquery("[data-testid=exclude-reasons]").text()
    assert "Total" in page.pyquery("[data-testid=department-subtotals]").text()
    assert "-16.00" not in page.pyquery("[data-testid=department-subtotals]").text()
    # Line 1 of aisle2.csv (soap); aisle1.csv is the first file, aisle2.csv the second.
    form = form_posting_to(page, "/control/exclude_lines")
    assert [option[2] for option in form["source"].options] == ["aisle1.csv", "aisle2.csv"]
    form["lines"] = "1"
    form["source"] = "2"
    form["reason"] = "Shelf not finished"
    page = form.submit(status=303).follow()
    assert "Excluded 1 row: it will not be applied." in alerts(page, "success")
    assert _excluded(dbsession) == {UPC_MILK: "Recount Monday", UPC_SOAP: "Shelf not finished"}
    form = form_posting_to(page, "/control/include")
    form["lines"] = "3"
    form["source"] = "1"
    page = form.submit(status=303).follow()
    assert "Included 1 row again" in alerts(page, "success")
    assert _excluded(dbsession) == {UPC_SOAP: "Shelf not finished"}
    form = form_posting_to(page, "/control/include")
    page = form.submit(status=303).follow()  # no lines: every excluded row
    assert _excluded(dbsession) == {}


def test_rows_moved_since_counted_show_by_how_much_and_are_left_out(
    testapp, shop, counted, dbsession
) -> None:
    dbsession.get(Product, shop["butter"].id).on_hand = Decimal("7")  # sold 3 meanwhile
    dbsession.commit()
    login(testapp, "olga")
    page = testapp.get(url(shop["data_set"], "review"))
    assert "-3" in _cells(page, UPC_BUTTER)
    moved = testapp.get(url(shop["data_set"], "review"), {"rows.moved_since.max": "-1"})
    assert len(moved.pyquery("[data-testid=grid-rows] tbody tr")) == 1
    form = form_posting_to(page, "/control/exclude_moved")
    form["reason"] = "Sold while counting"
    page = form.submit(status=303).follow()
    assert "Excluded 1 row" in alerts(page, "success")
    assert _excluded(dbsession) == {UPC_BUTTER: "Sold while counting"}
    form = form_posting_to(page, "/control/exclude_moved")
    form["reason"] = "Again"
    page = form.submit(status=303).follow()
    assert "moved since it was counted" in alerts(page)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"lines": "abc", "source": "1", "reason": "x"}, "is not a line number"),
        ({"lines": "1", "source": "9", "reason": "x"}, "Choose the file the lines are of"),
        ({"lines": "1", "source": "1", "reason": " "}, "Say why"),
        ({"lines": "99", "source": "1", "reason": "x"}, "None of those lines"),
        ({"lines": "1-99999999999", "source": "1", "reason": "x"}, "no such line"),
    ],
)
def test_bad_lines_are_refused_with_a_message_and_nothing_changes(
    testapp, shop, counted, dbsession, fields, message
) -> None:
    login(testapp, "olga")
    review = url(shop["data_set"], "review")
    form = form_posting_to(testapp.get(review), "/control/exclude_lines")
    for name, value in fields.items():
        form[name].force_value(value)
    page = form.submit(status=303).follow()
    assert message in alerts(page)
    assert _excluded(dbsession) == {}


def test_a_form_of_a_count_changed_since_is_refused(testapp, shop, counted, dbsession) -> None:
    login(testapp, "olga")
    review = url(shop["data_set"], "review")
    stale = form_posting_to(testapp.get(review), "/control/exclude_flagged")
    other = form_posting_to(testapp.get(review), "/control/exclude_lines")
    other["lines"], other["source"], other["reason"] = "1", "2", "Not finished"
    other.submit(status=303)
    stale["reason"] = "Recount"
    page = stale.submit(status=303).follow()
    assert "changed since" in alerts(page)
    assert _excluded(dbsession) == {UPC_SOAP: "Not finished"}


def test_an_applied_count_is_reverted_from_its_report(
    testapp, shop, counted, dbsession, settings, jobs_of
) -> None:
    login(testapp, "olga")
    batch = dbsession.get(Batch, counted.id)
    exclude_lines(batch, "1", None, "Shelf half done", "aisle2.csv")  # soap
    get_handler("inventory").execute(batch, shop["owner"])
    dbsession.commit()
    dbsession.expire_all()
    assert dbsession.get(Product, shop["milk"].id).on_hand == Decimal("12")
    assert dbsession.get(Product, shop["soap"].id).on_hand == Decimal("5")
    report = testapp.get(url(shop["data_set"], "report"))
    assert (
        "The on-hand of 2 products put back" in report.pyquery("[data-testid=revert-plan]").text()
    )
    assert "-16.00" in report.pyquery("[data-testid=subtotal-total]").text()
    left_out = report.pyquery("[data-testid=left-out] tbody tr")
    assert [row.text().split("\n") for row in left_out.items()] == [
        ["1 aisle2.csv", f"Soap {UPC_SOAP}", "Shelf half done"]
    ]
    form = form_posting_to(report, "/revert/revert")
    form["confirm_revert"] = str(counted.id)
    page = form.submit(status=303).follow()
    assert f"reverts batch #{counted.id}" in alerts(page, "success")
    assert set(jobs_of()) == {"succeeded"}  # the revert's apply, and its report
    dbsession.rollback()
    dbsession.expire_all()
    assert dbsession.get(Product, shop["milk"].id).on_hand == Decimal("20")
    assert dbsession.get(Product, shop["soap"].id).on_hand == Decimal("5")
    page = testapp.get(url(shop["data_set"], "report"))
    assert f"undoes batch #{counted.id}" in page.pyquery("[data-testid=reverts]").text()
    assert not internal_keys(page.pyquery("main").text())


def test_viewers_see_no_form_and_are_refused_and_outsiders_see_nothing(
    testapp, shop, counted, dbsession
) -> None:
    viewer = make_user(dbsession, "vera")
    make_user(dbsession, "otto")
    set_member(shop["data_set"], viewer, "viewer")
    dbsession.commit()
    login(testapp, "olga")
    review = url(shop["data_set"], "review")
    shown = form_posting_to(testapp.get(review), "/control/exclude_flagged")
    posted = dict(shown.submit_fields()) | {"reason": "x"}
    recount = testapp.get(review).pyquery("[data-testid=recount-text]").attr("href")
    testapp.reset()
    login(testapp, "vera")
    page = testapp.get(review)
    assert page.pyquery("[data-testid=review-control]")
    assert not page.pyquery("[data-form=exclude-flagged], [data-form=exclude-lines]")
    assert testapp.get(recount).body == f"{UPC_MILK}\r\n".encode()  # viewers read it
    for action in ("exclude_flagged", "exclude_lines", "include", "exclude_moved"):
        testapp.post(f"{review}/control/{action}", posted, status=403)
    testapp.reset()
    login(testapp, "otto")
    testapp.get(review, status=404)
    testapp.get(recount, status=404)
    testapp.post(f"{review}/control/exclude_flagged", posted, status=404)
    assert _excluded(dbsession) == {}


def test_with_no_count_the_widgets_say_so_and_the_downloads_are_not_found(testapp, shop) -> None:
    login(testapp, "olga")
    review = url(shop["data_set"], "review")
    page = testapp.get(review)
    assert page.pyquery("[data-testid=recount-none]")
    assert page.pyquery("[data-testid=subtotals-none]")
    testapp.get(f"{review}/recount/text", status=404)
    testapp.get(f"{review}/recount/csv", status=404)


def test_the_grid_leaves_one_row_out_with_its_reason(testapp, shop, counted, dbsession) -> None:
    login(testapp, "olga")
    review = url(shop["data_set"], "review")
    rows = dict(
        dbsession.execute(
            select(InventoryBatchRow.upc_text, InventoryBatchRow.id).where(
                InventoryBatchRow.batch_id == counted.id
            )
        ).all()
    )
    form = testapp.get(review).forms["grid-rows-edit"]
    form[f"rows.edit.excluded.{rows[UPC_SOAP]}"] = "yes"
    form.submit(status=303)
    assert _excluded(dbsession) == {}  # no reason: refused, on the row
    page = testapp.get(review)
    assert "Say why" in page.pyquery("[data-testid=grid-edit]").text()
    form = page.forms["grid-rows-edit"]
    form[f"rows.edit.excluded.{rows[UPC_SOAP]}"] = "yes"
    form[f"rows.edit.exclude_reason.{rows[UPC_SOAP]}"] = "Shelf half done"
    form.submit(status=303)
    assert _excluded(dbsession) == {UPC_SOAP: "Shelf half done"}
    assert "-6.00" not in testapp.get(review).pyquery("[data-testid=department-subtotals]").text()


def test_a_count_that_matches_on_hand_has_no_variance_to_chart(
    testapp, shop, dbsession, settings
) -> None:
    shop["butter"].on_hand = Decimal("10")
    dbsession.flush()
    count(shop, store_from_settings(settings), ("same.csv", f"{UPC_BUTTER},10\n", "units"))
    dbsession.commit()
    login(testapp, "olga")
    page = testapp.get(url(shop["data_set"], "review"))
    said = page.pyquery("[data-testid=chart-variance-empty]").text()
    assert said == "No variance to chart: every count matches on-hand."
    assert not page.pyquery("[data-widget=variance] canvas")
