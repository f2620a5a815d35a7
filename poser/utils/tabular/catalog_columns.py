"""The columns of a vendor catalog file, and the header spellings vendors use for them.

Data, not code: add an alias here when a new vendor spells a header differently; a
vendor whose headers clash with these gets its own mapping instead.
"""

from __future__ import annotations

from poser.utils.tabular.headers import Columns, ColumnSpec

# Only the UPC is required: it is what ties a vendor's row to a product. A caller that
# matches on vendor item codes instead builds its own Columns from these specs.
CATALOG_COLUMNS = Columns(
    [
        ColumnSpec("upc", ("UPC", "Item UPC", "UPC Code", "Barcode", "GTIN", "EAN"), required=True),
        ColumnSpec(
            "vendor_item_code",
            ("Vendor Item #", "Vendor Item Code", "Item #", "Item Number", "Item No", "SKU"),
        ),
        ColumnSpec("description", ("Description", "Item Description", "Product Name", "Name")),
        ColumnSpec("brand", ("Brand", "Brand Name")),
        ColumnSpec("size", ("Size", "Unit Size", "Item Size")),
        ColumnSpec(
            "case_size",
            ("Pack", "Case Pack", "Case Size", "Units Per Case", "Case Qty"),
            number=True,
        ),
        ColumnSpec("case_cost", ("Case Cost", "Cost/Case", "Cost Per Case"), number=True),
        ColumnSpec("unit_cost", ("Unit Cost", "Cost", "Each Cost", "Cost Each"), number=True),
        ColumnSpec("department", ("Department", "Dept", "Category")),
    ]
)
