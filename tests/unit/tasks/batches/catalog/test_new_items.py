"""A catalog's new items are complete or plainly incomplete: placed in the file's
department (by name or number) or the vendor's default, priced at a target margin over
their unit cost, or else added inactive without a price and saying why."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import Department, ParameterValue, Product, ProductChange
from poser.tasks.batches import get_handler
from poser.tasks.batches.catalog.execute import (
    NEEDS_A_PRICE,
    PRICED_BY_DATA_SET,
    PRICED_BY_DEPARTMENT,
)
from tests.catalog_support import UPC_NEW, make_batch

handler = get_handler("catalog")
HEADER = "UPC,Vendor Item #,Description,Brand,Size,Pack,Case Cost,Department\n"
SECOND_NEW = "012000001291"


def _health(dbsession: Session, store: dict[str, Any]) -> Department:
    return dbsession.scalars(
        select(Department).where(
            Department.data_set_id == store["data_set"].id, Department.name == "Health"
        )
    ).one()


def _apply(dbsession: Session, files: Any, store: dict[str, Any], lines: list[str]) -> None:
    batch = make_batch(
        store["data_set"], files, HEADER + "\n".join(lines), store["acme"], new_items="add"
    )
    handler.populate(batch, files)
    dbsession.flush()
    handler.execute(batch, None)
    dbsession.flush()
    dbsession.expire_all()


def _product(dbsession: Session, upc: str) -> Product:
    return dbsession.scalars(select(Product).where(Product.upc == upc.zfill(14))).one()


def _log(dbsession: Session, product: Product) -> dict[str, ProductChange]:
    changes = dbsession.scalars(select(ProductChange).where(ProductChange.product_id == product.id))
    return {change.field: change for change in changes}


def test_a_new_item_takes_the_files_department_by_name_or_number_and_its_target_margin(
    dbsession: Session, files: Any, store: dict[str, Any]
) -> None:
    store["dairy"].target_margin = Decimal("30")
    _health(dbsession, store).target_margin = Decimal("40")
    dbsession.flush()
    _apply(
        dbsession,
        files,
        store,
        [f"{UPC_NEW},A-400,Yogurt,,,2,5.00,DAIRY", f"{SECOND_NEW},A-401,Plasters,,,4,6.00, 2"],
    )
    yogurt, plasters = _product(dbsession, UPC_NEW), _product(dbsession, SECOND_NEW)
    # 2.50 a unit at 30 %: 2.50 / 0.70 = 3.5714...; 1.50 at 40 %: 1.50 / 0.60 = 2.50.
    assert (yogurt.department_id, yogurt.regular_price, yogurt.active) == (
        store["dairy"].id,
        Decimal("3.57"),
        True,
    )
    assert (plasters.department_id, plasters.regular_price, plasters.active) == (
        _health(dbsession, store).id,
        Decimal("2.50"),
        True,
    )
    log = _log(dbsession, yogurt)
    assert log["added"].reason is None
    assert Decimal(log["regular_price"].new_value) == Decimal("3.57")
    assert log["regular_price"].old_value is None
    assert log["regular_price"].reason == PRICED_BY_DEPARTMENT
    assert log["regular_price"].source == "batch"


def test_without_a_department_in_the_file_the_vendors_default_department_is_taken(
    dbsession: Session, files: Any, store: dict[str, Any]
) -> None:
    store["acme"].default_department_id = _health(dbsession, store).id
    _health(dbsession, store).target_margin = Decimal("50")
    dbsession.flush()
    _apply(
        dbsession,
        files,
        store,
        [
            f"{UPC_NEW},A-400,Shampoo,,,2,5.00,",
        ],
    )
    shampoo = _product(dbsession, UPC_NEW)
    assert (shampoo.department_id, shampoo.regular_price) == (
        _health(dbsession, store).id,
        Decimal("5.00"),
    )


def test_the_data_sets_saved_target_margin_prices_what_no_department_does(
    dbsession: Session, files: Any, store: dict[str, Any]
) -> None:
    data_set = store["data_set"]
    dbsession.add(ParameterValue(data_set_id=data_set.id, name="target_margin", value="20"))
    dbsession.flush()
    _apply(dbsession, files, store, [f"{UPC_NEW},A-400,Candles,,,2,5.00,Candles"])
    candles = _product(dbsession, UPC_NEW)
    # No department is named Candles; 2.50 at 20 %: 3.125, to the cent.
    assert candles.department_id is None
    assert candles.regular_price in (Decimal("3.12"), Decimal("3.13"))
    assert candles.active
    assert _log(dbsession, candles)["regular_price"].reason == PRICED_BY_DATA_SET


def test_with_no_margin_to_price_it_a_new_item_is_added_inactive_and_says_it_needs_a_price(
    dbsession: Session, files: Any, store: dict[str, Any]
) -> None:
    _apply(dbsession, files, store, [f"{UPC_NEW},A-400,Yogurt,,,2,5.00,Dairy"])
    yogurt = _product(dbsession, UPC_NEW)
    assert (yogurt.department_id, yogurt.regular_price, yogurt.active) == (
        store["dairy"].id,
        None,
        False,
    )
    log = _log(dbsession, yogurt)
    assert set(log) == {"added", "cost"}
    assert log["added"].reason == NEEDS_A_PRICE


def test_a_vendors_default_department_since_deleted_is_no_department(
    dbsession: Session, files: Any, store: dict[str, Any]
) -> None:
    gone = Department(data_set_id=store["data_set"].id, number=9, name="Gone")
    dbsession.add(gone)
    dbsession.flush()
    store["acme"].default_department_id = gone.id
    dbsession.delete(gone)
    dbsession.flush()
    _apply(dbsession, files, store, [f"{UPC_NEW},A-400,Yogurt,,,2,5.00,"])
    assert _product(dbsession, UPC_NEW).department_id is None
