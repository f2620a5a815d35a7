"""An empty data set's first page says how to start, with links that lead there; once
it holds a row it says nothing of the kind."""

from __future__ import annotations

from typing import Any

import webtest
from sqlalchemy.orm import Session

from poser.tasks.datasets import set_member
from tests.factories import make_user
from tests.functional.conftest import login


def test_an_empty_data_set_says_how_to_start_and_each_way_is_a_page(
    testapp: webtest.TestApp, dbsession: Session
) -> None:
    make_user(dbsession, "olga")
    dbsession.commit()
    login(testapp, "olga")
    form = testapp.get("/apps/products").forms["empty"]
    form["name"] = "New shop"
    page = form.submit(status=303).follow()
    start = page.pyquery("[data-testid=start-here]")
    assert start.find("h2").text() == "This data set is empty: how to start"
    links = {link.text: link.get("href") for link in start.find("a")}
    assert set(links) == {
        "Add departments",
        "vendors",
        "add products",
        "Upload a vendor's catalog",
        "Load a workbook",
        "start a new data set from the example “Sample Store”",
    }
    for href in links.values():
        testapp.get(href.split("#")[0])  # each one opens
    assert links["Upload a vendor's catalog"].startswith("/apps/catalog/data-sets/")

    departments = testapp.get(links["Add departments"])
    added = departments.forms["form-add-department"]
    added["number"], added["name"] = "1", "Grocery"
    page = added.submit("submit", status=303).follow()
    assert not testapp.get(page.request.path.replace("departments", "catalog")).pyquery(
        "[data-testid=start-here]"
    )


def test_a_viewer_of_an_empty_data_set_is_told_who_fills_it(
    testapp: webtest.TestApp, dbsession: Session
) -> None:
    from poser.tasks.datasets import create_data_set

    owner, viewer = make_user(dbsession, "olga"), make_user(dbsession, "vera")
    data_set = create_data_set(dbsession, "Empty", "products", owner)
    set_member(data_set, viewer, "viewer")
    dbsession.commit()
    login(testapp, "vera")
    page = testapp.get(f"/apps/products/data-sets/{data_set.id}/steps/catalog")
    text = " ".join(page.pyquery("[data-testid=start-here]").text().split())
    assert "Its owners and editors fill it: ask one of them" in text
    assert "Add departments" not in text


def test_a_data_set_with_rows_shows_no_guidance(testapp: webtest.TestApp, shop: Any) -> None:
    login(testapp, "olga")
    page = testapp.get(f"/apps/products/data-sets/{shop['data_set'].id}/steps/catalog")
    assert not page.pyquery("[data-testid=start-here]")
