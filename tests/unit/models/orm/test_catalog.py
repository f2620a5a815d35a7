from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from poser.models.orm import DataSet, Department, Product, ProductCost, Vendor
from poser.models.orm.catalog import MARGIN_PERCENT_SQL
from tests.catalog_support import preferred_costs_out_of_step
from tests.database_support import migration_module
from tests.factories import make_data_set

UPC = "00012345678905"


def _catalog(dbsession: Session, data_set: DataSet, upc: str = UPC) -> Product:
    department = Department(data_set_id=data_set.id, number=2, name="Dairy")
    vendor = Vendor(data_set_id=data_set.id, code="MWDY", name="Midwest Dairy")
    dbsession.add_all([department, vendor])
    dbsession.flush()
    product = Product(
        data_set_id=data_set.id,
        upc=upc,
        description="Whole Milk",
        department_id=department.id,
        regular_price=Decimal("3.49"),
    )
    dbsession.add(product)
    dbsession.flush()
    dbsession.add(_cost(product, vendor, preferred=True))
    dbsession.flush()
    return product


def _cost(product: Product, vendor: Vendor, preferred: bool = False) -> ProductCost:
    return ProductCost(
        data_set_id=product.data_set_id,
        product_id=product.id,
        vendor_id=vendor.id,
        case_size=4,
        case_cost=Decimal("9.96"),
        unit_cost=Decimal("2.49"),
        preferred=preferred,
    )


def _count(dbsession: Session, table: type) -> int:
    return dbsession.scalar(select(func.count()).select_from(table)) or 0


def test_defaults_and_decimals_round_trip(dbsession: Session) -> None:
    product = _catalog(dbsession, make_data_set(dbsession))
    dbsession.commit()
    dbsession.expire_all()
    stored = dbsession.get_one(Product, product.id)
    assert (stored.brand, stored.size, stored.active) == ("", "", True)
    assert stored.on_hand == 0
    assert stored.regular_price == Decimal("3.49")
    assert stored.department is not None
    assert stored.department.name == "Dairy"
    (cost,) = stored.costs
    assert (cost.unit_cost, cost.case_cost, cost.vendor.code) == (
        Decimal("2.4900"),
        Decimal("9.96"),
        "MWDY",
    )


@pytest.mark.parametrize(
    "duplicate",
    [
        lambda ds: Department(data_set_id=ds.id, number=2, name="Also dairy"),
        lambda ds: Vendor(data_set_id=ds.id, code="MWDY", name="Again"),
        lambda ds: Product(data_set_id=ds.id, upc=UPC, description="Same UPC"),
    ],
    ids=["department number", "vendor code", "upc"],
)
def test_keys_are_unique_within_a_data_set(dbsession: Session, duplicate: object) -> None:
    data_set = make_data_set(dbsession)
    _catalog(dbsession, data_set)
    dbsession.add(duplicate(data_set))  # type: ignore[operator]
    with pytest.raises(IntegrityError):
        dbsession.flush()


def test_two_data_sets_may_share_keys(dbsession: Session) -> None:
    _catalog(dbsession, make_data_set(dbsession, "Store"))
    _catalog(dbsession, make_data_set(dbsession, "What-if copy"))
    dbsession.commit()
    assert dbsession.scalars(select(Product.upc)).all() == [UPC, UPC]


def test_one_cost_per_vendor_and_at_most_one_preferred(dbsession: Session) -> None:
    data_set = make_data_set(dbsession)
    product = _catalog(dbsession, data_set)
    vendor = dbsession.scalars(select(Vendor)).one()
    dbsession.commit()

    dbsession.add(_cost(product, vendor))
    with pytest.raises(IntegrityError):
        dbsession.flush()
    dbsession.rollback()

    other = Vendor(data_set_id=data_set.id, code="FARM", name="Family Farms")
    dbsession.add(other)
    dbsession.flush()
    dbsession.add(_cost(product, other, preferred=True))
    with pytest.raises(IntegrityError):
        dbsession.flush()
    dbsession.rollback()

    # A second vendor that is not preferred is what the catalog expects.
    other = Vendor(data_set_id=data_set.id, code="FARM", name="Family Farms")
    dbsession.add(other)
    dbsession.flush()
    dbsession.add(_cost(product, other))
    dbsession.flush()
    assert _count(dbsession, ProductCost) == 2


def test_case_size_must_be_positive(dbsession: Session) -> None:
    product = _catalog(dbsession, make_data_set(dbsession))
    cost = dbsession.scalars(select(ProductCost)).one()
    cost.case_size = 0
    with pytest.raises(IntegrityError):
        dbsession.flush()
    assert product.id


def test_deleting_the_data_set_removes_its_catalog_only(dbsession: Session) -> None:
    doomed = make_data_set(dbsession, "Doomed")
    kept = make_data_set(dbsession, "Kept")
    _catalog(dbsession, doomed)
    _catalog(dbsession, kept)
    dbsession.commit()
    dbsession.delete(doomed)
    dbsession.commit()
    for table in (Department, Vendor, Product, ProductCost):
        data_sets = set(dbsession.scalars(select(table.data_set_id)))  # type: ignore[attr-defined]
        assert data_sets == {kept.id}, table


def test_deleting_parents_cascades_or_clears(dbsession: Session) -> None:
    product = _catalog(dbsession, make_data_set(dbsession))
    dbsession.commit()
    dbsession.delete(dbsession.scalars(select(Department)).one())
    dbsession.commit()
    dbsession.expire_all()
    assert dbsession.get_one(Product, product.id).department_id is None

    dbsession.delete(dbsession.scalars(select(Vendor)).one())
    dbsession.commit()
    assert _count(dbsession, ProductCost) == 0

    vendor = Vendor(data_set_id=product.data_set_id, code="FARM", name="Family Farms")
    dbsession.add(vendor)
    dbsession.flush()
    dbsession.add(_cost(product, vendor, preferred=True))
    dbsession.commit()
    dbsession.delete(dbsession.get_one(Product, product.id))
    dbsession.commit()
    assert _count(dbsession, ProductCost) == 0


def _held(dbsession: Session, product: Product) -> tuple[int | None, Decimal | None]:
    """The product's own copy of its preferred cost, as the database holds it now."""
    row = dbsession.execute(
        select(Product.preferred_vendor_id, Product.preferred_unit_cost).where(
            Product.id == product.id
        )
    ).one()
    return row[0], row[1]


def test_the_product_holds_its_preferred_cost_whoever_writes_it(dbsession: Session) -> None:
    data_set = make_data_set(dbsession)
    product = _catalog(dbsession, data_set)
    first = dbsession.scalars(select(Vendor)).one()
    assert _held(dbsession, product) == (first.id, Decimal("2.4900"))

    # A cost that is not preferred changes nothing.
    second = Vendor(data_set_id=data_set.id, code="FARM", name="Family Farms")
    dbsession.add(second)
    dbsession.flush()
    other = _cost(product, second)
    other.unit_cost = Decimal("1.75")
    dbsession.add(other)
    dbsession.flush()
    other.unit_cost = Decimal("1.70")
    dbsession.flush()
    assert _held(dbsession, product) == (first.id, Decimal("2.4900"))

    # The preferred cost's new unit cost.
    dbsession.execute(
        update(ProductCost)
        .where(ProductCost.vendor_id == first.id)
        .values(unit_cost=Decimal("2.5500"))
    )
    assert _held(dbsession, product) == (first.id, Decimal("2.5500"))

    # Another vendor becomes preferred: both rows change in one statement, in whichever
    # order the database takes them.
    dbsession.execute(
        update(ProductCost)
        .where(ProductCost.product_id == product.id)
        .values(preferred=ProductCost.vendor_id == second.id)
        .execution_options(synchronize_session=False)
    )
    assert _held(dbsession, product) == (second.id, Decimal("1.7000"))

    # No preferred cost left, then none at all.
    dbsession.execute(
        update(ProductCost).values(preferred=False).execution_options(synchronize_session=False)
    )
    assert _held(dbsession, product) == (None, None)
    dbsession.execute(
        update(ProductCost)
        .where(ProductCost.vendor_id == first.id)
        .values(preferred=True)
        .execution_options(synchronize_session=False)
    )
    assert _held(dbsession, product) == (first.id, Decimal("2.5500"))
    dbsession.execute(delete(ProductCost).where(ProductCost.vendor_id == first.id))
    assert _held(dbsession, product) == (None, None)
    assert preferred_costs_out_of_step(dbsession) == []


def test_deleting_the_preferred_vendor_clears_the_products_copy(dbsession: Session) -> None:
    product = _catalog(dbsession, make_data_set(dbsession))
    dbsession.commit()
    dbsession.delete(dbsession.scalars(select(Vendor)).one())
    dbsession.commit()
    assert _held(dbsession, product) == (None, None)


def _margin(dbsession: Session, product: Product) -> Decimal | None:
    return dbsession.scalar(select(Product.margin_percent).where(Product.id == product.id))


def test_the_margin_is_the_one_migration_0010_makes() -> None:
    assert migration_module("0010").MARGIN == MARGIN_PERCENT_SQL


def test_the_margin_follows_the_price_and_the_preferred_cost(dbsession: Session) -> None:
    product = _catalog(dbsession, make_data_set(dbsession))
    assert _margin(dbsession, product) == Decimal("28.65")  # (3.49 - 2.49) / 3.49
    product.regular_price = Decimal("4.98")
    dbsession.flush()
    assert _margin(dbsession, product) == Decimal("50.00")
    # A cost written by SQL: the trigger's unit cost, then the margin from it.
    dbsession.execute(update(ProductCost).values(unit_cost=Decimal("3.7350")))
    assert _margin(dbsession, product) == Decimal("25.00")
    # The ORM reads it back after a write, as the database worked it out.
    dbsession.refresh(product)
    assert product.margin_percent == Decimal("25.00")
    # Whole prices (integers to SQLite) still divide exactly.
    product.regular_price = Decimal("5")
    dbsession.flush()
    assert _margin(dbsession, product) == Decimal("25.30")
    # No margin without a positive price, or without a preferred cost.
    for price in (Decimal("0"), None):
        product.regular_price = price
        dbsession.flush()
        assert _margin(dbsession, product) is None
    product.regular_price = Decimal("2.00")
    dbsession.execute(update(ProductCost).values(preferred=False))
    assert _margin(dbsession, product) is None
    # A cent's price at the dearest cost still fits the column.
    dbsession.execute(update(ProductCost).values(preferred=True, unit_cost=Decimal("999999.9999")))
    product.regular_price = Decimal("0.01")
    dbsession.flush()
    assert _margin(dbsession, product) == Decimal("-9999999899.00")
