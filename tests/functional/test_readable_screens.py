"""What an operator reads on the Catalog's steps: each status a word in a coloured badge
(the stored value only in data-status), each count after its label, and the review
grid's money to the cent and percents signed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.catalog_support import UPC_BUTTER, UPC_SOAP
from tests.functional.catalog_pages import (
    CATALOG_FILE,
    corner_shop,
    review_of_unreadable_file,
    run_queued_jobs,
    save_options,
    step_url,
    upload,
)
from tests.functional.conftest import login

#: Stored values that are never the text of a page an operator reads.
KEYS = ("populated", "succeeded", "executed", "new_item", "cost_up", "cost_down", "not started")


@pytest.fixture
def store(dbsession: Session) -> dict[str, Any]:
    return corner_shop(dbsession)


def _texts(page: Any, selector: str) -> list[str]:
    return [page.pyquery(element).text() for element in page.pyquery(selector)]


def _cells(page: Any, column: str) -> dict[str, str]:
    """One column of the review grid, by UPC."""
    grid = page.pyquery("[data-widget=rows]")
    headers = [th.get("data-column") for th in grid("thead th")]
    upc, index = headers.index("upc"), headers.index(column)
    return {
        grid(row).children().eq(upc).text(): grid(row).children().eq(index).text()
        for row in grid("tbody tr[data-key]")
    }


def _cells_of(page: Any, column: str) -> list[Any]:
    grid = page.pyquery("[data-widget=rows]")
    index = [th.get("data-column") for th in grid("thead th")].index(column)
    return [grid(row).children()[index] for row in grid("tbody tr[data-key]")]


def test_statuses_and_counts_read_as_words_and_numbers_as_money(
    testapp, store, settings, session_factory, tmp_path
) -> None:
    data_set = store["data_set"]
    login(testapp, "olga")
    save_options(testapp, data_set, catalog_vendor="ACME", catalog_tolerance="20")
    upload(testapp, data_set, CATALOG_FILE)
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]

    for step in ("upload", "review", "apply"):
        page = testapp.get(step_url(data_set, step))
        status = page.pyquery("[data-testid=batch-status]")
        assert (status.text(), status.attr("data-status")) == ("Ready to review", "populated")
        assert "status-badge" in status.attr("class")
        assert "tone-" in status.attr("class")
        counts = [" ".join(item.split()) for item in _texts(page, "[data-testid=batch-counts] li")]
        assert counts == ["New item 1", "Cost up 1", "Cost down 1", "Error 1"]
        shown = " ".join(
            _texts(page, "[data-widget=batch], [data-testid=step-list], [data-widget=rows] tbody")
        )
        assert not [key for key in KEYS if key in shown], shown

    review = testapp.get(step_url(data_set, "review"))
    assert _cells(review, "case_cost")[UPC_BUTTER] == "26.40"  # case costs are shown
    assert _cells(review, "cost_change_percent")[UPC_BUTTER] == "+10.0%"
    assert _cells(review, "cost_change")[UPC_BUTTER] == "+0.20"
    assert _cells(review, "cost_change_percent")[UPC_SOAP].startswith("-33.")
    # Numbers line up on the right, under a header that does too.
    assert review.pyquery("[data-widget=rows] th[data-column=cost_change_percent]").has_class(
        "text-end"
    )
    assert {row.get("class") for row in _cells_of(review, "cost_change_percent")} == {"text-end"}


def test_a_batch_that_could_not_be_read_says_so(
    testapp, store, settings, session_factory, tmp_path
) -> None:
    login(testapp, "olga")
    review = review_of_unreadable_file(
        testapp, store["data_set"], settings, session_factory, tmp_path
    )
    status = review.pyquery("[data-testid=batch-status]")
    assert (status.text(), status.attr("data-status")) == ("Could not be read", "failed")
    assert "tone-bad" in status.attr("class")
