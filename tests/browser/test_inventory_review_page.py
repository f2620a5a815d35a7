"""The Review page of an inventory count in Chromium, at 1366 and 1920 pixels wide: the
page never scrolls sideways, at 1920 every column of the grid is on screen with its
label, at 1366 the variance's columns are and the rest scroll inside the grid; long
messages wrap; the recount list downloads as a scanner's file. Every page axe-checked
(and pictured when POSER_SCREENSHOTS names a folder)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from poser.storage.settings import store_from_settings
from tests.browser.accessibility import screenshot_folder
from tests.browser.conftest import PageChecks, serving
from tests.browser.support import downloaded, log_in
from tests.catalog_support import UPC_BUTTER, UPC_MILK, UPC_SOAP
from tests.functional.catalog_pages import corner_shop
from tests.inventory_support import count

AISLE1 = (
    "aisle1.csv",
    f"UPC,Qty,Section\n{UPC_BUTTER},14,Aisle 1\n{UPC_MILK},12,Aisle 1\nnotaupc,2,Aisle 1\n",
    "units",
)
AISLE2 = ("aisle2.csv", f"{UPC_SOAP},1,Aisle 2\n", "units")
#: What an operator must see without scrolling the grid on a 1366-pixel screen.
FIRST_COLUMNS = ("Line", "UPC", "Description", "On-hand before", "Counted", "Variance",
                 "At cost", "At retail", "Status")  # fmt: skip

_GEOMETRY = """() => {
  const frame = document.querySelector('[data-testid=grid-rows] .grid-scroll');
  const box = frame.getBoundingClientRect();
  return {
    page: [document.documentElement.scrollWidth, window.innerWidth],
    frame: [frame.scrollWidth, frame.clientWidth],
    headers: [...frame.querySelectorAll('thead th')].map((th) => {
      const r = th.getBoundingClientRect();
      return [th.innerText.trim(), r.left >= box.left - 1 && r.right <= box.right + 1,
              th.scrollWidth <= th.clientWidth + 1];
    }),
    message: [...frame.querySelectorAll('td.grid-wrap')].map((td) => td.clientHeight),
  };
}"""


@pytest.fixture
def server(base_settings: dict[str, Any], engine: Any) -> Iterator[str]:
    """The app with the Inventory Application (included here while the installed
    package does not name it yet)."""
    installed = {point.name for point in entry_points(group="poser.applications")}
    includes = "tests.sample_app tests.sample_workflow"
    if "inventory" not in installed:
        includes += " poser.apps.inventory"
    with serving(base_settings, **{"poser.includes": includes}) as url:
        yield url


@pytest.mark.parametrize("width", [1366, 1920])
def test_the_review_page_reads_at_a_laptops_and_a_desktops_width(
    browser: Any,
    server: str,
    dbsession: Session,
    settings: dict[str, Any],
    tmp_path: Path,
    width: int,
) -> None:
    shop = corner_shop(dbsession)
    for name, on_hand in (("butter", "10"), ("milk", "20"), ("soap", "5")):
        shop[name].on_hand = Decimal(on_hand)
    dbsession.flush()
    batch = count(shop, store_from_settings(settings), AISLE1, AISLE2, threshold_units="5")
    dbsession.commit()
    context = browser.new_context(
        base_url=server, viewport={"width": width, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    # axe on every page; the picture is this test's own, at its width (the audit's
    # would resize the page while it is measured).
    audit = PageChecks(page, f"inventory-review-{width}", None)
    audit.attach()
    try:
        log_in(page, "olga")
        page.goto(f"/apps/inventory/data-sets/{shop['data_set'].id}/steps/review")
        page.wait_for_selector("[data-testid=department-subtotals]")
        shape = page.evaluate(_GEOMETRY)
        assert shape["page"][0] <= shape["page"][1], "the page scrolls sideways"
        on_screen = {label for label, inside, _ in shape["headers"] if inside}
        assert all(whole for _, _, whole in shape["headers"]), "a column's label is cut"
        if width >= 1920:
            assert shape["frame"][0] <= shape["frame"][1], "the grid scrolls sideways"
            assert on_screen == {label for label, _, _ in shape["headers"]}
        else:
            assert set(FIRST_COLUMNS) <= on_screen
        # The error's message takes lines rather than the grid's width.
        assert max(shape["message"]) > 30
        audit.check("review")  # before the click: a button mid-transition reads as no contrast
        scanner = downloaded(page, "[data-testid=recount-text]", tmp_path / "recount.txt")
        assert scanner.read_bytes() == f"{UPC_MILK}\r\n".encode()
        assert (
            page.locator("[data-testid=recount-text]")
            .inner_text()
            .endswith(f"(recount-batch-{batch.id}.txt)")
        )
        folder = screenshot_folder()
        if folder is not None:
            page.screenshot(path=str(folder / f"inventory-review-{width}.png"), full_page=True)
    finally:
        context.close()
    assert audit.violations == [], "accessibility:\n" + "\n".join(audit.violations)
    assert audit.keys_shown == [], "internal keys on pages:\n" + "\n".join(audit.keys_shown)
