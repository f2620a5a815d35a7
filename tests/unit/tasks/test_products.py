"""Operators' own changes to products: add, retire, department, preferred vendor and
delete, each logged with who, where and why, each refusal with its reason."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import Department, Product, ProductChange, ProductCost
from poser.tasks.product_history import edit_on_page
from poser.tasks.products import (
    ProductError,
    add_product,
    delete_product,
    deletion_refusal,
    set_preferred_vendor,
    update_product,
)
from tests.catalog_support import UPC_BUTTER, UPC_NEW, make_catalog
from tests.factories import make_data_set, make_user


@pytest.fixture
def shop(dbsession: Session) -> dict[str, Any]:
    owner = make_user(dbsession, "olga")
    data_set = make_data_set(dbsession, members={owner: "owner"})
    catalog = make_catalog(dbsession, data_set)
    dbsession.flush()
    source = edit_on_page(owner, "products", "product")
    return {"data_set": data_set, "owner": owner, "source": source, **catalog}


def _log(dbsession: Session, product_id: int) -> list[ProductChange]:
    query = select(ProductChange).where(ProductChange.product_id == product_id)
    return list(dbsession.scalars(query.order_by(ProductChange.id)))


def test_an_added_product_is_logged_as_added_by_its_operator(dbsession, shop) -> None:
    product = add_product(
        shop["data_set"],
        {"upc": "0700-3800-0563", "description": " Oat milk ", "regular_price": Decimal("2.99"),
         "department_id": shop["dairy"].id},
        source=shop["source"],
    )  # fmt: skip
    assert (product.upc, product.description, product.active) == (
        UPC_NEW.zfill(14),
        "Oat milk",
        True,
    )
    (added,) = _log(dbsession, product.id)
    assert (added.field, added.new_value, added.source, added.page) == (
        "added",
        "Oat milk",
        "edit",
        "products/product",
    )
    assert added.changed_by_id == shop["owner"].id


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"upc": UPC_BUTTER, "description": "Again"}, "already in this data set: “Butter”"),
        ({"upc": "12ab", "description": "x"}, "UPC"),
        ({"upc": UPC_NEW, "description": "  "}, "needs a description"),
        ({"upc": UPC_NEW, "description": "x", "regular_price": Decimal("-1")}, "between 0"),
        ({"upc": UPC_NEW, "description": "x", "department_id": 999_999}, "not in this data set"),
    ],
)
def test_adding_refuses_what_cannot_be_a_product(dbsession, shop, values, message) -> None:
    with pytest.raises(ProductError, match=message):
        add_product(shop["data_set"], values, source=shop["source"])


def test_a_department_of_another_data_set_is_refused(dbsession, shop) -> None:
    other = make_data_set(dbsession, "Other")
    theirs = Department(data_set_id=other.id, number=5, name="Theirs")
    dbsession.add(theirs)
    dbsession.flush()
    with pytest.raises(ProductError, match="not in this data set"):
        update_product(
            shop["data_set"], shop["butter"].id, {"department_id": theirs.id}, source=shop["source"]
        )


def test_retiring_records_why(dbsession, shop) -> None:
    source = replace(shop["source"], reason="Discontinued by the maker")
    update_product(shop["data_set"], shop["milk"].id, {"active": False}, source=source)
    (change,) = _log(dbsession, shop["milk"].id)
    assert (change.field, change.old_value, change.new_value, change.reason) == (
        "active",
        "true",
        "false",
        "Discontinued by the maker",
    )


def test_the_preferred_vendor_changes_to_one_that_costs_the_product(dbsession, shop) -> None:
    data_set, other = shop["data_set"], shop["other"]  # BETA costs it, preferred
    with pytest.raises(ProductError, match="no cost for this product"):
        set_preferred_vendor(data_set, other.id, shop["acme"].id, source=shop["source"])
    assert not set_preferred_vendor(data_set, other.id, shop["beta"].id, source=shop["source"])
    assert _log(dbsession, other.id) == []


def test_choosing_another_vendor_moves_the_margin_and_is_logged(dbsession, shop) -> None:
    butter = shop["butter"]
    dbsession.add(
        ProductCost(data_set_id=shop["data_set"].id, product_id=butter.id,
                    vendor_id=shop["beta"].id, case_size=1, case_cost=Decimal("1.50"),
                    unit_cost=Decimal("1.5000"))
    )  # fmt: skip
    dbsession.flush()
    assert set_preferred_vendor(shop["data_set"], butter.id, shop["beta"].id, source=shop["source"])
    dbsession.expire_all()
    product = dbsession.get(Product, butter.id)
    assert (product.preferred_vendor_id, product.preferred_unit_cost) == (
        shop["beta"].id,
        Decimal("1.5000"),
    )
    (change,) = _log(dbsession, butter.id)
    assert (change.field, change.old_value, change.new_value) == (
        "preferred_vendor",
        "ACME",
        "BETA",
    )


def test_a_product_with_a_past_is_not_deleted_but_retired(dbsession, shop) -> None:
    refusal = deletion_refusal(shop["data_set"], shop["butter"].id)
    assert refusal == (
        "“Butter” has 1 vendor's cost, which deleting it would lose. Retire it instead: it "
        "stays in the catalog, inactive, with its history."
    )
    with pytest.raises(ProductError, match="Retire it instead"):
        delete_product(shop["data_set"], shop["butter"].id)
    assert dbsession.get(Product, shop["butter"].id) is not None


def test_a_product_added_by_mistake_is_deleted_with_its_one_log_row(dbsession, shop) -> None:
    data_set = shop["data_set"]
    product = add_product(data_set, {"upc": UPC_NEW, "description": "Typo"}, source=shop["source"])
    product_id = product.id
    assert delete_product(data_set, product_id) == "Typo"
    assert dbsession.get(Product, product_id) is None
    assert _log(dbsession, product_id) == []


def test_a_product_edited_since_it_was_added_is_kept(dbsession, shop) -> None:
    data_set = shop["data_set"]
    product = add_product(data_set, {"upc": UPC_NEW, "description": "Tea"}, source=shop["source"])
    update_product(data_set, product.id, {"regular_price": Decimal("3")}, source=shop["source"])
    with pytest.raises(ProductError, match="1 recorded change"):
        delete_product(data_set, product.id)


def test_a_product_without_a_price_is_not_made_active(dbsession, shop) -> None:
    data_set, source = shop["data_set"], shop["source"]
    product = add_product(data_set, {"upc": UPC_NEW, "description": "Tea", "active": False},
                          source=source)  # fmt: skip
    with pytest.raises(ProductError, match="Give it a price before making it active"):
        update_product(data_set, product.id, {"active": True}, source=source)
    update_product(
        data_set, product.id, {"active": True, "regular_price": Decimal("2.49")}, source=source
    )
    assert product.active
