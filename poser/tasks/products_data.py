"""What a Products data set holds, for copy, export, import and "is it empty"
(`poser.tasks.datasets.formats`): departments, vendors, products and every vendor's
cost, in that order.

Rows refer to each other as operators know them: a product and a vendor's default to
their department by number, a cost to its product by UPC and to its vendor by code.
The Products Application names this format; the Vendor catalogs Application works on
the same data sets, and so on it too. Each parser returns the value to store or raises
CellError or UpcError; an operator may type a workbook by hand.
"""

from __future__ import annotations

from decimal import Decimal

from poser.models.orm import Department, Product, ProductCost, Vendor
from poser.models.orm.search import search_indexed_after
from poser.tasks.datasets.formats import Column, DataSetFormat, OnlyOne, Table, register_format
from poser.utils.cells import cell_bool, cell_decimal, cell_int, cell_text
from poser.utils.upc import normalize_upc

#: The kind of data set (DataSet.application) that this format is for.
KIND = "products"
_PRICE, _COST = "0.00", "0.0000"


def _on_hand(value: object) -> Decimal:
    # Negative counts happen: registers sell what was never received.
    read = cell_decimal(value, places=3, digits=12, required=False, negative=True)
    return read or Decimal(0)


def _target_margin(value: object) -> Decimal | None:
    # A percent of the price, under 100 (two digits before the point).
    return cell_decimal(value, places=2, digits=4, required=False)


# The columns added since the first workbooks (a department's target margin, a vendor's
# default department) are not required: a workbook exported before them still loads.
DEPARTMENTS = Table(
    Department,
    "departments",
    [
        Column("number", cell_int),
        Column("name", lambda v: cell_text(v, 100), width=32),
        Column("target_margin", _target_margin, number_format=_PRICE, required=False),
    ],
    key=("number",),
)
VENDORS = Table(
    Vendor,
    "vendors",
    [
        Column("code", lambda v: cell_text(v, 20)),
        Column("name", lambda v: cell_text(v, 200), width=32),
        Column(
            "default_department_number",
            column="default_department_id",
            refers_to="departments",
            required=False,
            width=16,
        ),
    ],
    key=("code",),
)
PRODUCTS = Table(
    Product,
    "products",
    [
        Column("upc", normalize_upc, label="UPC", width=16),
        Column("description", lambda v: cell_text(v, 200), width=40),
        Column("brand", lambda v: cell_text(v, 100, required=False), width=24),
        Column("size", lambda v: cell_text(v, 50, required=False)),
        Column(
            "department_number",
            lambda v: None if v is None else cell_int(v),
            column="department_id",
            refers_to="departments",
        ),
        Column(
            "regular_price",
            lambda v: cell_decimal(v, places=2, digits=10, required=False),
            number_format=_PRICE,
        ),
        Column("on_hand", _on_hand),  # General: 12 and 5.429, not 12.000
        Column("active", lambda v: cell_bool(v, default=True)),
    ],
    key=("upc",),
)
PRODUCT_COSTS = Table(
    ProductCost,
    "product_costs",
    [
        Column(
            "upc", normalize_upc, column="product_id", refers_to="products", label="UPC", width=16
        ),
        Column(
            "vendor_code",
            lambda v: cell_text(v, 20),
            column="vendor_id",
            refers_to="vendors",
            label="vendor",
        ),
        Column("vendor_item_code", lambda v: cell_text(v, 50, required=False), width=16),
        Column("case_size", lambda v: cell_int(v, minimum=1)),
        Column("case_cost", lambda v: cell_decimal(v, places=2, digits=10), number_format=_PRICE),
        Column("unit_cost", lambda v: cell_decimal(v, places=4, digits=10), number_format=_COST),
        Column("preferred", lambda v: cell_bool(v, default=False)),
    ],
    key=("upc", "vendor_code"),
    repeated="{key}: this vendor's cost is also on {row}",
    only_one=[
        OnlyOne(("upc",), "preferred", "{key}: another cost of this UPC is preferred, on {row}")
    ],
)

PRODUCTS_FORMAT = register_format(
    DataSetFormat(
        KIND,
        [DEPARTMENTS, VENDORS, PRODUCTS, PRODUCT_COSTS],
        # An import fills an empty data set: its products join the description search
        # in one statement at the end rather than one by one.
        loading=search_indexed_after,
    )
)

#: Each sheet's header row, in order (for building workbooks by hand, as tests do).
SHEETS = PRODUCTS_FORMAT.sheets
