"""The Products grid's columns: only a column that an index holds in order (data set,
column, id) sorts, so that a page reads its rows from that index over a million
products; the vendor filter compares the product's own preferred vendor."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy.orm import Session

from poser.apps.products.application import _grid_columns
from poser.models.data_extraction.grid_state import Filter
from poser.models.orm import Product
from tests.factories import make_data_set


def _indexes(table: object) -> set[tuple[str, ...]]:
    """Each index's and unique constraint's columns."""
    found = {tuple(column.name for column in index.columns) for index in table.indexes}  # type: ignore[attr-defined]
    for constraint in table.constraints:  # type: ignore[attr-defined]
        names = tuple(getattr(constraint, "columns", {}).keys())
        if names:
            found.add(names)
    return found


def test_every_sortable_column_has_an_index_in_its_order(dbsession: Session) -> None:
    data_set = make_data_set(dbsession, "Store")
    columns = _grid_columns(SimpleNamespace(dbsession=dbsession, data_set=data_set))
    sortable = [column.name for column in columns if column.sortable]
    assert sortable == ["upc", "description", "brand", "regular_price", "margin_percent"]
    indexes = _indexes(Product.__table__)
    for name in sortable:
        # The key after the column: ties in the grid's order, which is the index's. A
        # unique column's index needs no key (SQLite and PostgreSQL reach it anyway).
        assert any(
            names[:3] in (("data_set_id", name, "id"), ("data_set_id", name)) for names in indexes
        ), name


def test_the_vendor_filter_compares_the_products_own_preferred_vendor(dbsession: Session) -> None:
    data_set = make_data_set(dbsession, "Store")
    columns = _grid_columns(SimpleNamespace(dbsession=dbsession, data_set=data_set))
    (vendor,) = [column for column in columns if column.name == "vendor"]
    assert vendor.condition is not None
    condition = vendor.condition(Filter("vendor", "in", ("ACME",)))
    assert condition.left.compare(Product.__table__.c.preferred_vendor_id)  # type: ignore[attr-defined]


def test_the_active_filter_has_an_index_its_count_reads(dbsession: Session) -> None:
    # The grid counts a filter's matches on every page, up to 10,000: without an index,
    # "inactive" (3% of the products) read 330,000 of a million to count them.
    assert ("data_set_id", "active", "id") in _indexes(Product.__table__)
    if dbsession.get_bind().dialect.name == "sqlite":
        plan = dbsession.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM (SELECT id FROM product "
            "WHERE data_set_id = 1 AND active IS 0 LIMIT 10001)"
        )
        assert any("ix_product_active" in row[3] for row in plan)
