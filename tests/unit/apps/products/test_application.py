"""The Products grid's columns keep their promises to the grid engine: a column marked
``indexed`` has an index that finds its filter's rows and reads them in its order."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import Column
from sqlalchemy.orm import Session

from poser.apps.products.application import _grid_columns
from poser.models.data_extraction.grid_state import Filter
from poser.models.orm import Product
from tests.factories import make_data_set


def _leading(table: object) -> set[tuple[str, ...]]:
    """Each index's columns after data_set_id (every grid query is of one data set)."""
    found = set()
    for index in table.indexes:  # type: ignore[attr-defined]
        names = tuple(column.name for column in index.columns)
        found.add(names[1:] if names[0] == "data_set_id" else names)
    for constraint in table.constraints:  # type: ignore[attr-defined]
        names = tuple(getattr(constraint, "columns", {}).keys())
        if names:
            found.add(names[1:] if names[0] == "data_set_id" else names)
    return found


def test_every_indexed_column_has_an_index_that_leads_with_it(dbsession: Session) -> None:
    data_set = make_data_set(dbsession, "Store")
    columns = _grid_columns(SimpleNamespace(dbsession=dbsession, data_set=data_set))
    indexed = [column for column in columns if column.indexed]
    assert {column.name for column in indexed} >= {
        "department",
        "vendor",
        "brand",
        "regular_price",
        "margin_percent",
    }
    product_indexes = _leading(Product.__table__)
    for column in indexed:
        if column.condition is not None:
            continue
        expression = (
            column.expression if column.expression is not None else Product.__table__.c[column.name]
        )
        expression = getattr(expression, "expression", expression)  # an ORM attribute
        assert isinstance(expression, Column), column.name
        assert expression.table is Product.__table__, column.name
        assert any(names[:1] == (expression.name,) for names in product_indexes), column.name
    # The vendor filter (by code) compares the product's own preferred vendor.
    (vendor,) = [column for column in indexed if column.name == "vendor"]
    assert vendor.condition is not None
    condition = vendor.condition(Filter("vendor", "in", ("ACME",)))
    assert condition.left.compare(Product.__table__.c.preferred_vendor_id)  # type: ignore[attr-defined]
    assert any(names[:1] == ("preferred_vendor_id",) for names in product_indexes)


def test_every_sort_within_a_department_or_a_vendor_has_its_index(dbsession: Session) -> None:
    data_set = make_data_set(dbsession, "Store")
    columns = _grid_columns(SimpleNamespace(dbsession=dbsession, data_set=data_set))
    by_name = {column.name: column for column in columns}
    sortable = {column.name for column in columns if column.sortable}
    assert set(by_name["department"].index_sorts) == sortable
    assert set(by_name["vendor"].index_sorts) == sortable
    product_indexes = _leading(Product.__table__)
    for filtered, table_column in (
        ("department", "department_id"),
        ("vendor", "preferred_vendor_id"),
    ):
        for sort in by_name[filtered].index_sorts:
            # The filter's column, the sort's, then the key: the page in one range.
            assert (table_column, sort, "id") in product_indexes, (filtered, sort)
