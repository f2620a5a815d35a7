"""The product's page: add a product, set its department and preferred vendor, retire
it, delete it only when it has no past; and the products that need a price. Real
forms, CSRF on; every change on the product's history with who and why."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import Product, ProductCost
from tests.catalog_support import UPC_BUTTER, UPC_NEW
from tests.functional.conftest import login


def _url(shop: dict[str, Any], step: str) -> str:
    return f"/apps/products/data-sets/{shop['data_set'].id}/steps/{step}"


def _page(app: webtest.TestApp, shop: dict[str, Any], upc: str) -> Any:
    return app.get(_url(shop, "product"), params={"lookup.upc": upc})


def _alerts(page: Any) -> str:
    return " ".join(page.pyquery(".alert").text().split())


def _submit(page: Any, form: str, **fields: Any) -> Any:
    posted = page.forms[f"form-{form}"]
    for name, value in fields.items():
        posted[name] = value
    return posted.submit("submit", status=303).follow()


def _timeline(page: Any) -> list[str]:
    rows = page.pyquery("[data-testid=product-change]").items()
    return [" ".join(row.text().split()).split(" UTC ", 1)[1] for row in rows]


def test_an_operator_adds_a_product_without_a_price_and_finds_it_needing_one(
    testapp: webtest.TestApp, shop: dict[str, Any], dbsession: Session
) -> None:
    login(testapp, "olga")
    page = testapp.get(_url(shop, "product"))
    page = _submit(page, "add-product", upc=UPC_NEW, description="Oat milk",
                   department=str(shop["dairy"].id))  # fmt: skip
    assert (
        "“Oat milk” is added. It has no price yet, so it is inactive: it is listed under "
        "Needs a price." in _alerts(page)
    )
    assert page.request.url.endswith(f"lookup.upc={UPC_NEW.zfill(14)}")
    detail = page.pyquery("[data-testid=product-detail]").text()
    assert "Dairy" in detail
    (added,) = _timeline(page)
    assert added == "Added to the catalog Oat milk olga An edit on the Product page of Products"

    unpriced = testapp.get(_url(shop, "needs-a-price"))
    (row,) = unpriced.pyquery("[data-widget=unpriced] tbody tr").items()
    assert row.find("a").text() == UPC_NEW.zfill(14)
    product = dbsession.scalars(select(Product).where(Product.description == "Oat milk")).one()
    edit = unpriced.forms["grid-unpriced-edit"]
    edit[f"unpriced.edit.regular_price.{product.id}"] = "2.99"
    edit[f"unpriced.edit.active.{product.id}"] = "yes"
    edit.submit(status=303)
    unpriced = testapp.get(_url(shop, "needs-a-price"))
    assert unpriced.pyquery("[data-widget=unpriced] tbody tr td").eq(0).text().startswith("No")
    assert _timeline(_page(testapp, shop, UPC_NEW))[:2] == [
        "Active no yes olga An edit on the Needs a price page of Products",
        "Price (none) 2.99 olga An edit on the Needs a price page of Products",
    ]


def test_adding_a_product_already_there_or_with_a_bad_upc_is_refused_with_the_reason(
    testapp: webtest.TestApp, shop: dict[str, Any]
) -> None:
    login(testapp, "olga")
    page = testapp.get(_url(shop, "product"))
    page = _submit(page, "add-product", upc=UPC_BUTTER, description="Butter again")
    assert f"UPC {UPC_BUTTER.zfill(14)} is already in this data set: “Butter”." in _alerts(page)
    assert page.forms["form-add-product"]["description"].value == "Butter again"
    page = _submit(page, "add-product", upc="12-ab", description="Odd", regular_price="-3")
    assert "Give a number from 0 up." in page.pyquery("#widget-add-product").text()


def test_department_and_preferred_vendor_are_set_on_the_products_page(
    testapp: webtest.TestApp, shop: dict[str, Any], dbsession: Session
) -> None:
    butter = shop["butter"]
    dbsession.add(
        ProductCost(data_set_id=shop["data_set"].id, product_id=butter.id,
                    vendor_id=shop["beta"].id, case_size=1, case_cost=Decimal("1.50"),
                    unit_cost=Decimal("1.5000"))
    )  # fmt: skip
    dbsession.commit()
    login(testapp, "olga")
    page = _page(testapp, shop, UPC_BUTTER)
    form = page.forms["form-place-product"]
    assert form["department"].value == str(shop["dairy"].id)
    assert form["vendor"].value == str(shop["acme"].id)
    page = _submit(page, "place-product", department="", vendor=str(shop["beta"].id))
    assert "Saved." in _alerts(page)
    assert _timeline(page) == [
        "Preferred vendor ACME BETA olga An edit on the Product page of Products",
        "Department Dairy (none) olga An edit on the Product page of Products",
    ]
    margin = page.pyquery("[data-testid=product-margin]").text()
    assert margin == "70.00 %"  # 5.00 at BETA's 1.50


def test_a_vendor_that_does_not_cost_the_product_is_refused(
    testapp: webtest.TestApp, shop: dict[str, Any]
) -> None:
    login(testapp, "olga")
    page = _page(testapp, shop, UPC_BUTTER)
    form = page.forms["form-place-product"]
    fields = {"csrf_token": form["csrf_token"].value, "product": str(shop["butter"].id),
              "department": "", "vendor": str(shop["beta"].id), "submit": "submit"}  # fmt: skip
    page = testapp.post(form.action, fields, status=303).follow()
    assert page.request.url.endswith(f"lookup.upc={UPC_BUTTER.zfill(14)}")
    assert "That vendor has no cost for this product" in _alerts(page)
    fields["product"] = "not a number"
    page = testapp.post(form.action, fields, status=303).follow()
    assert "This form names no product: open the product's page again." in _alerts(page)


def test_a_product_is_retired_with_a_reason_and_a_product_with_a_past_is_not_deleted(
    testapp: webtest.TestApp, shop: dict[str, Any], dbsession: Session
) -> None:
    login(testapp, "olga")
    page = _page(testapp, shop, UPC_BUTTER)
    assert "form-delete-product" not in page.forms  # butter has a cost: retire it
    assert page.pyquery("[data-testid=delete-product-instead]").text() == (
        "“Butter” has 1 vendor's cost, which deleting it would lose. Retire it instead: it "
        "stays in the catalog, inactive, with its history."
    )
    page = _submit(page, "retire-product", reason="The maker stopped it")
    assert "Retired: it stays in the catalog, inactive." in _alerts(page)
    assert _timeline(page)[0] == (
        "Active The maker stopped it yes no olga An edit on the Product page of Products"
    )
    assert "Make it active again" in page.pyquery("#widget-retire-product button").text()

    # The delete action refuses a product with a past whatever the page showed.
    token = page.forms["form-retire-product"]["csrf_token"].value
    action = _url(shop, "product") + "/delete-product/submit"
    fields = {"csrf_token": token, "product": str(shop["butter"].id), "confirm": "true"}
    page = testapp.post(action, fields, status=303).follow()
    assert "“Butter” has 1 vendor's cost and 1 recorded change" in _alerts(page)
    assert "Retire it instead" in _alerts(page)
    dbsession.rollback()
    assert dbsession.get(Product, shop["butter"].id) is not None


def test_a_product_added_by_mistake_is_deleted_after_confirming(
    testapp: webtest.TestApp, shop: dict[str, Any], dbsession: Session
) -> None:
    login(testapp, "olga")
    page = _submit(testapp.get(_url(shop, "product")), "add-product", upc=UPC_NEW,
                   description="Typo", regular_price="1.00")  # fmt: skip
    page = _submit(page, "delete-product")
    assert "Tick the box to confirm the deletion." in _alerts(page)
    page = _submit(page, "delete-product", confirm=True)
    assert "“Typo” is deleted." in _alerts(page)
    assert dbsession.scalars(select(Product).where(Product.description == "Typo")).all() == []


def test_a_product_without_a_price_says_why_it_has_no_margin_and_names_its_cost(
    testapp: webtest.TestApp, shop: dict[str, Any], dbsession: Session
) -> None:
    milk = dbsession.get(Product, shop["milk"].id)
    milk.regular_price = None
    dbsession.commit()
    login(testapp, "olga")
    page = _page(testapp, shop, "042100005264")
    assert page.pyquery("[data-testid=product-margin]").text() == (
        "No margin yet: no price (its unit cost is 3.00)"
    )
    page = _submit(testapp.get(_url(shop, "product")), "add-product", upc=UPC_NEW,
                   description="Tea", regular_price="2.00")  # fmt: skip
    assert page.pyquery("[data-testid=product-margin]").text() == (
        "No margin: no vendor's cost is preferred for it"
    )


def test_a_product_without_a_price_made_active_in_the_grid_is_refused_on_its_row(
    testapp: webtest.TestApp, shop: dict[str, Any], dbsession: Session
) -> None:
    login(testapp, "olga")
    _submit(testapp.get(_url(shop, "product")), "add-product", upc=UPC_NEW, description="Tea")
    product = dbsession.scalars(select(Product).where(Product.description == "Tea")).one()
    edit = testapp.get(_url(shop, "needs-a-price")).forms["grid-unpriced-edit"]
    edit[f"unpriced.edit.active.{product.id}"] = "yes"
    page = edit.submit(status=303).follow()
    assert (
        "Give it a price before making it active." in page.pyquery("[data-widget=unpriced]").text()
    )
    dbsession.rollback()
    assert dbsession.get(Product, product.id).active is False
