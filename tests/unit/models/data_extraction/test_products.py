from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from poser.apps.widgets.grid_text import parse_grid_state
from poser.models.data_extraction.grid import grid_page
from poser.models.data_extraction.grid_state import Filter, GridColumn
from poser.models.data_extraction.products import (
    department_choices,
    margin_by_department,
    preferred_vendor_condition,
    product_by_upc,
    product_counts,
    product_detail,
    product_grid,
    vendor_choices,
)
from poser.models.orm import DataSet, Department, Product, ProductCost, Vendor
from tests.factories import make_data_set


class _Store:
    """A small catalog with margins easy to check by hand."""

    def __init__(self, dbsession: Session, data_set: DataSet) -> None:
        self.dbsession = dbsession
        self.data_set = data_set
        self.dairy = self._add(Department(number=2, name="Dairy"))
        self.grocery = self._add(Department(number=1, name="Grocery"))
        self.farm = self._add(Vendor(code="FARM", name="Family Farms"))
        self.unfi = self._add(Vendor(code="GLNF", name="Great Lakes"))

    def _add(self, row: object) -> object:
        row.data_set_id = self.data_set.id  # type: ignore[attr-defined]
        self.dbsession.add(row)
        self.dbsession.flush()
        return row

    def product(
        self, upc: str, price: str | None, department: object | None, **costs: tuple[str, bool]
    ) -> Product:
        product = self._add(
            Product(
                upc=upc,
                description=f"Item {upc}",
                regular_price=None if price is None else Decimal(price),
                department_id=department.id if department else None,  # type: ignore[attr-defined]
            )
        )
        for code, (unit_cost, preferred) in costs.items():
            vendor = self.farm if code == "FARM" else self.unfi
            self._add(
                ProductCost(
                    product_id=product.id,  # type: ignore[attr-defined]
                    vendor_id=vendor.id,  # type: ignore[attr-defined]
                    case_size=1,
                    case_cost=Decimal(unit_cost).quantize(Decimal("0.01")),
                    unit_cost=Decimal(unit_cost),
                    preferred=preferred,
                )
            )
        return product  # type: ignore[return-value]


def _store(dbsession: Session) -> _Store:
    store = _Store(dbsession, make_data_set(dbsession, "Store"))
    store.product("00000000000001", "10.00", store.dairy, FARM=("7.50", True), GLNF=("1", False))
    # Whole numbers: SQLite keeps them as integers, and 1 / 3 must not be 0.
    store.product("00000000000002", "3", store.dairy, FARM=("2", True))
    store.product("00000000000003", None, store.grocery, FARM=("1.00", True))
    store.product("00000000000004", "0", store.grocery, FARM=("1.00", True))
    store.product("00000000000005", "4.00", store.grocery, GLNF=("3.00", False))
    store.product("00000000000006", "5.00", None, GLNF=("4.00", True))
    dbsession.commit()
    return store


def test_the_grid_has_one_row_per_product_with_its_preferred_cost(dbsession: Session) -> None:
    store = _store(dbsession)
    other = _Store(dbsession, make_data_set(dbsession, "Other"))
    other.product("00000000000001", "1.00", other.dairy, FARM=("0.50", True))
    dbsession.commit()

    grid = product_grid(store.data_set.id)
    rows = {row.upc[-1]: row for row in dbsession.execute(grid)}
    assert sorted(rows) == ["1", "2", "3", "4", "5", "6"]
    first = rows["1"]
    assert (first.department, first.department_number, first.vendor) == ("Dairy", 2, "FARM")
    assert first.unit_cost == Decimal("7.50")
    assert first.margin_percent == Decimal("25.00")
    assert rows["2"].margin_percent == Decimal("33.33")
    assert rows["3"].margin_percent is None  # no price
    assert rows["4"].margin_percent is None  # priced at zero
    assert (rows["5"].vendor, rows["5"].unit_cost, rows["5"].margin_percent) == (None, None, None)
    assert (rows["6"].department, rows["6"].margin_percent) == (None, Decimal("20.00"))


def test_the_grid_query_can_be_filtered_sorted_and_paged(dbsession: Session) -> None:
    store = _store(dbsession)
    grid = product_grid(store.data_set.id)
    columns = grid.selected_columns
    page = dbsession.execute(
        grid.where(columns.department == "Dairy").order_by(columns.margin_percent.desc()).limit(1)
    ).one()
    assert (page.upc, page.margin_percent) == ("00000000000002", Decimal("33.33"))


def test_the_grid_query_reads_no_cost_when_it_selects_only_the_key(dbsession: Session) -> None:
    store = _store(dbsession)
    keys = product_grid(store.data_set.id).with_only_columns(Product.id)
    assert "product_cost" not in str(keys.compile(dbsession.get_bind()))
    assert len(dbsession.scalars(keys).all()) == 6


def test_margin_by_department(dbsession: Session) -> None:
    store = _store(dbsession)
    rows = dbsession.execute(margin_by_department(store.data_set.id)).all()
    assert [tuple(row) for row in rows] == [
        (1, "Grocery", 3, None),
        (2, "Dairy", 2, Decimal("29.17")),  # (25.00 + 33.33) / 2
        (None, None, 1, Decimal("20.00")),
    ]


def test_product_detail_lists_every_cost_preferred_first(dbsession: Session) -> None:
    store = _store(dbsession)
    product = dbsession.scalars(select(Product).where(Product.upc == "00000000000001")).first()
    detail = product_detail(dbsession, store.data_set.id, product.id)
    assert detail is not None
    assert detail.product.id == product.id
    assert detail.department is not None
    assert detail.department.name == "Dairy"
    assert [(vendor.code, cost.preferred) for cost, vendor in detail.costs] == [
        ("FARM", True),
        ("GLNF", False),
    ]
    assert detail.margin_percent == Decimal("25.00")


def test_product_detail_of_another_data_set_is_none(dbsession: Session) -> None:
    store = _store(dbsession)
    elsewhere = make_data_set(dbsession, "Elsewhere")
    product = dbsession.scalars(select(Product).where(Product.upc == "00000000000001")).first()
    assert product_detail(dbsession, elsewhere.id, product.id) is None
    assert product_detail(dbsession, store.data_set.id, 10**9) is None


def test_product_counts(dbsession: Session) -> None:
    store = _store(dbsession)
    assert product_counts(dbsession, store.data_set.id) == {
        "departments": 2,
        "vendors": 2,
        "products": 6,
        "product_costs": 7,
    }


def test_lookups_and_choices(dbsession: Session) -> None:
    store = _store(dbsession)
    elsewhere = make_data_set(dbsession, "Elsewhere")
    product_id = product_by_upc(dbsession, store.data_set.id, "00000000000002")
    assert product_id is not None
    assert product_by_upc(dbsession, elsewhere.id, "00000000000002") is None
    assert department_choices(dbsession, store.data_set.id) == [
        (store.grocery.id, "Grocery"),
        (store.dairy.id, "Dairy"),
    ]
    assert vendor_choices(dbsession, store.data_set.id) == [
        ("FARM", "FARM: Family Farms"),
        ("GLNF", "GLNF: Great Lakes"),
    ]
    assert vendor_choices(dbsession, elsewhere.id) == []


def test_the_vendor_filter_keeps_products_whose_preferred_cost_is_that_vendors(
    dbsession: Session,
) -> None:
    store = _store(dbsession)
    other = _Store(dbsession, make_data_set(dbsession, "Other"))
    other.product("00000000000009", "1.00", other.dairy, GLNF=("0.50", True))
    dbsession.commit()
    condition = preferred_vendor_condition(dbsession, store.data_set.id)
    grid = product_grid(store.data_set.id)

    def upcs(*codes: str) -> list[str]:
        query = grid.where(condition(Filter("vendor", "in", codes))).order_by(Product.upc)
        return [row.upc[-1] for row in dbsession.execute(query)]

    # Product 1 has a GLNF cost, but FARM's is preferred; 5's GLNF cost is not preferred.
    assert upcs("GLNF") == ["6"]
    assert upcs("FARM") == ["1", "2", "3", "4"]
    assert upcs("FARM", "GLNF") == ["1", "2", "3", "4", "6"]
    assert upcs("NONE") == []
    assert upcs("NONE", "GLNF") == ["6"]
    # Each code was looked up once, however often and in whatever company it came.
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    condition = preferred_vendor_condition(dbsession, store.data_set.id)
    event.listen(dbsession.get_bind(), "before_cursor_execute", record)
    try:
        upcs("FARM", "GLNF")
        upcs("GLNF")  # as a merge of each vendor's first rows asks
        upcs("FARM")
    finally:
        event.remove(dbsession.get_bind(), "before_cursor_execute", record)
    assert len([s for s in statements if s.startswith("SELECT vendor.code, vendor.id")]) == 1
    # The same filter through the grid engine agrees with the computed vendor column.
    columns = [
        GridColumn("upc"),
        GridColumn("vendor", type="choice", choices=["FARM", "GLNF"], condition=condition),
    ]
    state = parse_grid_state({"vendor.in": "GLNF"}, columns)
    page = grid_page(dbsession, grid, columns, state, "id")
    assert [(row["upc"][-1], row["vendor"]) for row in page.rows] == [("6", "GLNF")]
