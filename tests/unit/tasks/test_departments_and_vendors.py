"""Departments and vendors: added and changed with their rules, and deleted only as
far as what uses them allows, saying what that is."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import Department, Product, ProductChange, Vendor
from poser.storage.backends import local_store
from poser.tasks.departments import (
    CatalogListError,
    add_department,
    delete_department,
    update_department,
)
from poser.tasks.product_history import edit_on_page
from poser.tasks.vendors import add_vendor, delete_vendor, update_vendor
from tests.catalog_support import HEADER, make_batch, make_catalog
from tests.factories import make_data_set, make_user


@pytest.fixture
def shop(dbsession: Session) -> dict[str, Any]:
    owner = make_user(dbsession, "olga")
    data_set = make_data_set(dbsession, members={owner: "owner"})
    catalog = make_catalog(dbsession, data_set)
    dbsession.flush()
    source = edit_on_page(owner, "products", "departments")
    return {"data_set": data_set, "owner": owner, "source": source, **catalog}


def test_a_department_is_added_with_its_target_margin(dbsession, shop) -> None:
    frozen = add_department(shop["data_set"], 7, "  Frozen   foods ", Decimal("32.5"))
    assert (frozen.number, frozen.name, frozen.target_margin) == (
        7,
        "Frozen foods",
        Decimal("32.50"),
    )


@pytest.mark.parametrize(
    ("number", "name", "margin", "message"),
    [
        (1, "Bakery", None, "Department 1 “Dairy” already has number 1"),
        (8, "DAIRY", None, "already has the name “DAIRY”"),
        (8, " ", None, "needs a name"),
        (8, "Bakery", Decimal("100"), "from 0 to 99.99"),
        (-1, "Bakery", None, "from 0 up"),
    ],
)
def test_a_department_that_would_be_ambiguous_is_refused(shop, number, name, margin, message):
    with pytest.raises(CatalogListError, match=message):
        add_department(shop["data_set"], number, name, margin)


def test_a_department_changes_its_name_and_margin_but_not_to_anothers_number(shop) -> None:
    dairy = shop["dairy"]
    update_department(
        shop["data_set"], dairy.id, {"name": "Dairy & eggs", "target_margin": Decimal("28")}
    )
    assert (dairy.name, dairy.target_margin) == ("Dairy & eggs", Decimal("28.00"))
    with pytest.raises(CatalogListError, match="already has number 2"):
        update_department(shop["data_set"], dairy.id, {"number": 2})


def test_a_department_with_products_is_kept_unless_they_are_left_without(dbsession, shop) -> None:
    data_set, dairy = shop["data_set"], shop["dairy"]
    shop["acme"].default_department_id = dairy.id
    dbsession.flush()
    with pytest.raises(CatalogListError, match=r"has 2 products\. Move them"):
        delete_department(data_set, dairy.id, clear_products=False, source=shop["source"])
    said = delete_department(data_set, dairy.id, clear_products=True, source=shop["source"])
    assert said == (
        "Department 1 “Dairy” is deleted. Its 2 products now have no department. "
        "Vendor ACME no longer put new items in it: its new items get no department."
    )
    dbsession.expire_all()
    assert dbsession.get(Department, dairy.id) is None
    assert dbsession.get(Product, shop["butter"].id).department_id is None
    assert dbsession.get(Vendor, shop["acme"].id).default_department_id is None
    changes = dbsession.scalars(select(ProductChange).order_by(ProductChange.product_id)).all()
    assert [(c.product_id, c.field, c.old_value, c.new_value, c.page) for c in changes] == [
        (shop["butter"].id, "department", "Dairy", None, "products/departments"),
        (shop["milk"].id, "department", "Dairy", None, "products/departments"),
    ]
    assert {c.changed_by_id for c in changes} == {shop["owner"].id}


def test_an_unused_department_is_deleted(dbsession, shop) -> None:
    empty = add_department(shop["data_set"], 9, "Seasonal")
    said = delete_department(
        shop["data_set"], empty.id, clear_products=False, source=shop["source"]
    )
    assert said == "Department 9 “Seasonal” is deleted."


def test_a_vendor_is_added_with_its_default_department(dbsession, shop) -> None:
    vendor = add_vendor(shop["data_set"], " kff ", "KeHE Fresh", shop["dairy"].id)
    assert (vendor.code, vendor.name, vendor.default_department_id) == (
        "KFF",
        "KeHE Fresh",
        shop["dairy"].id,
    )
    with pytest.raises(CatalogListError, match="Vendor code ACME is taken, by “Acme Foods”"):
        add_vendor(shop["data_set"], "acme", "Again")
    with pytest.raises(CatalogListError, match="no spaces"):
        add_vendor(shop["data_set"], "A B", "Spaced")
    other = make_data_set(dbsession, "Other")
    theirs = add_department(other, 3, "Theirs")
    with pytest.raises(CatalogListError, match="not in this data set"):
        update_vendor(shop["data_set"], vendor.id, {"default_department_id": theirs.id})
    update_vendor(shop["data_set"], vendor.id, {"default_department_id": None, "name": "KeHE"})
    assert (vendor.name, vendor.default_department_id) == ("KeHE", None)


def test_a_vendor_with_costs_or_a_batch_waiting_is_kept(dbsession, shop, tmp_path) -> None:
    files = local_store(tmp_path)
    with pytest.raises(CatalogListError, match="is kept: it has costs for 3 products"):
        delete_vendor(shop["data_set"], shop["acme"].id)
    fresh = add_vendor(shop["data_set"], "FRESH", "Fresh Co")
    batch = make_batch(shop["data_set"], files, HEADER, fresh)
    with pytest.raises(CatalogListError, match=f"catalog batch #{batch.id}, not applied, is for"):
        delete_vendor(shop["data_set"], fresh.id)
    spare = add_vendor(shop["data_set"], "SPARE", "Spare Parts")
    assert delete_vendor(shop["data_set"], spare.id) == "Vendor SPARE “Spare Parts” is deleted."
