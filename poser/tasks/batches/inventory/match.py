"""A line's product, found in Python: one query per list of lines (a typed line added
or edited, ``counting``). Reading a whole count does the same in the statement that
inserts its rows (``load``), with these rules and words.

A list's UPCs are looked up together (through the data set's (data set, UPC) unique
index), and each readable record takes its product's id, department, on-hand, preferred
unit cost, regular price, and, counted in cases, the preferred cost's case size: the
values the count is compared with, as they are when it is read. A record the catalog
cannot bear out gets status "error" and says why: a UPC not in the catalog, cases
without a case size or past ``MAX_UNITS``, a fraction of a product sold by the unit.

Fractions: a quantity with decimals (after cases are multiplied out) is refused unless
the product is sold by weight, which its size says in one of ``WEIGHT_SIZES`` exactly
("lb", "kg", ...): a "1 lb" bag is one unit.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

#: A product's size that says it is sold by weight, so its count may have decimals.
WEIGHT_SIZES = ("lb", "lbs", "kg", "per lb", "per kg", "/lb", "/kg", "by weight")
#: One product's count above this is a typo, whatever its lines say.
MAX_UNITS = Decimal(1_000_000)
#: The columns matching fills in (every record has them, for the bulk insert).
MATCHED = (
    "product_id",
    "department_id",
    "on_hand_before",
    "unit_cost",
    "unit_price",
    "counted_units",
)

_SQL = """
SELECT product.upc, product.id, product.department_id, product.on_hand,
       product.preferred_unit_cost, product.regular_price, product.size,
       (SELECT product_cost.case_size FROM product_cost
        WHERE product_cost.product_id = product.id AND product_cost.preferred
        LIMIT 1)
FROM product
WHERE product.data_set_id = {data_set_id} AND product.upc {in_upcs}
"""
_BY_DIALECT = {
    "sqlite": _SQL.format(data_set_id="?", in_upcs="IN (SELECT value FROM json_each(?))"),
    "postgresql": _SQL.format(data_set_id="%s", in_upcs="= ANY(%s)"),
}


def products_of(connection: Connection, data_set_id: int, upcs: list[str]) -> dict[str, Any]:
    """The data set's products of ``upcs``, by UPC, as the driver returns them."""
    if not upcs:
        return {}
    dialect = connection.dialect.name
    listed: object = json.dumps(upcs) if dialect == "sqlite" else upcs
    cursor = connection.connection.cursor()  # the caller's transaction
    try:
        cursor.execute(_BY_DIALECT[dialect], (data_set_id, listed))
        return {row[0]: row[1:] for row in cursor.fetchall()}
    finally:
        cursor.close()


def match_chunk(connection: Connection, data_set_id: int, records: list[dict[str, Any]]) -> None:
    """Fill in each record's product and the values it is compared with, in place."""
    readable = [r for r in records if r["status"] is None]
    found = products_of(connection, data_set_id, sorted({r["upc"] for r in readable}))
    for record in records:
        for key in MATCHED:
            record.setdefault(key, None)
    for record in readable:
        product = found.get(record["upc"])
        if product is None:
            _error(record, "is not in the catalog")
            continue
        product_id, department_id, on_hand, unit_cost, price, size, case_size = product
        record.update(
            product_id=product_id,
            department_id=department_id,
            on_hand_before=on_hand,
            unit_cost=unit_cost,
            unit_price=price,
        )
        quantity = record["quantity"]
        if record["unit"] == "units" and quantity.isdigit():  # the usual whole count
            record["counted_units"] = quantity
            continue
        units = Decimal(quantity)
        if record["unit"] == "cases":
            if case_size is None:
                _error(record, "is counted in cases, but it has no preferred vendor's case size")
                continue
            units *= case_size
            if units > MAX_UNITS:
                _error(record, f"counted in cases comes to more than {MAX_UNITS:,} units")
                continue
        if units != units.to_integral_value() and (size or "").strip().lower() not in WEIGHT_SIZES:
            _error(
                record,
                "is sold by the unit, so it is counted in whole units (a fraction is counted "
                "only for a product whose size says lb or kg)",
            )
            continue
        record["quantity_units"] = record["counted_units"] = str(units)


def _error(record: dict[str, Any], words: str) -> None:
    record["status"] = "error"
    record["message"] = f"UPC {record['upc_text']} {words}"
