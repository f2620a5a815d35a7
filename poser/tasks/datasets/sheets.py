"""The format of a data set workbook: its sheets, their columns, and how each cell is read.

Written by `workbook.export_data_set`, read by `importer`; an operator may also
type one by hand. Each parser returns the value to store or raises CellError/UpcError.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from poser.utils.cells import cell_bool, cell_decimal, cell_int, cell_text
from poser.utils.upc import normalize_upc

#: The sheets of a data set workbook and their columns, in the order they are read.
SHEETS: dict[str, tuple[str, ...]] = {
    "departments": ("number", "name"),
    "vendors": ("code", "name"),
    "products": (
        "upc",
        "description",
        "brand",
        "size",
        "department_number",
        "regular_price",
        "on_hand",
        "active",
    ),
    "product_costs": (
        "upc",
        "vendor_code",
        "vendor_item_code",
        "case_size",
        "case_cost",
        "unit_cost",
        "preferred",
    ),
}

PARSERS: dict[str, dict[str, Callable[[object], Any]]] = {
    "departments": {"number": cell_int, "name": lambda v: cell_text(v, 100)},
    "vendors": {"code": lambda v: cell_text(v, 20), "name": lambda v: cell_text(v, 200)},
    "products": {
        "upc": normalize_upc,
        "description": lambda v: cell_text(v, 200),
        "brand": lambda v: cell_text(v, 100, required=False),
        "size": lambda v: cell_text(v, 50, required=False),
        "department_number": lambda v: None if v is None else cell_int(v),
        "regular_price": lambda v: cell_decimal(v, places=2, digits=10, required=False),
        # Negative counts happen: registers sell what was never received.
        "on_hand": lambda v: (
            cell_decimal(v, places=3, digits=12, required=False, negative=True) or Decimal(0)
        ),
        "active": lambda v: cell_bool(v, default=True),
    },
    "product_costs": {
        "upc": normalize_upc,
        "vendor_code": lambda v: cell_text(v, 20),
        "vendor_item_code": lambda v: cell_text(v, 50, required=False),
        "case_size": lambda v: cell_int(v, minimum=1),
        "case_cost": lambda v: cell_decimal(v, places=2, digits=10),
        "unit_cost": lambda v: cell_decimal(v, places=4, digits=10),
        "preferred": lambda v: cell_bool(v, default=False),
    },
}
