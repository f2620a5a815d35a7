"""A small Products data set whose reports are worked out by hand in the tests.

Dairy (number 1, its own target 40 %) and Produce (2, none: the data set's saved 35 %):

======  =========  ======  =====  ========  ======  =======
upc     dept       price   cost   margin    on hand active
======  =========  ======  =====  ========  ======  =======
...01   Dairy      10.00   5.00   50.00     4       yes
...02   Dairy       4.00   3.00   25.00     2.5     yes
...03   Produce     2.00   2.50   -25.00    10      yes
...04   Produce     —      1.00   —         3       yes
...05   —           6.00   —      —         0       yes
...06   Produce     3.00   1.50   50.00     7       no
...07   Dairy       1.00   0.50   50.00     0       no
======  =========  ======  =====  ========  ======  =======
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from poser.models.orm import (
    DataSet,
    DataSetMember,
    Department,
    ParameterValue,
    Product,
    ProductChange,
    Vendor,
)
from tests.factories import make_data_set, make_user

PRODUCTS = [
    # upc digit, department, price, cost, on hand, active
    (1, "dairy", "10.00", "5.00", "4", True),
    (2, "dairy", "4.00", "3.00", "2.5", True),
    (3, "produce", "2.00", "2.50", "10", True),
    (4, "produce", None, "1.00", "3", True),
    (5, None, "6.00", None, "0", True),
    (6, "produce", "3.00", "1.50", "7", False),
    (7, "dairy", "1.00", "0.50", "0", False),
]


def upc(digit: int) -> str:
    return f"{digit:014d}"


def _money(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def make_small_store(
    dbsession: Session, name: str = "Small Store"
) -> tuple[DataSet, dict[str, Any]]:
    data_set = make_data_set(dbsession, name)
    data_set.application = "products"
    rows: dict[str, Any] = {
        "dairy": Department(
            data_set_id=data_set.id, number=1, name="Dairy", target_margin=Decimal("40")
        ),
        "produce": Department(data_set_id=data_set.id, number=2, name="Produce"),
        "acme": Vendor(data_set_id=data_set.id, code="ACME", name="Acme Foods"),
        "beta": Vendor(data_set_id=data_set.id, code="BETA", name="Beta Supply"),
    }
    dbsession.add_all(rows.values())
    dbsession.add(ParameterValue(data_set_id=data_set.id, name="target_margin", value="35"))
    dbsession.flush()
    for digit, department, price, cost, on_hand, active in PRODUCTS:
        product = Product(
            data_set_id=data_set.id,
            upc=upc(digit),
            description=f"Product {digit}",
            department_id=rows[department].id if department else None,
            regular_price=_money(price),
            preferred_unit_cost=_money(cost),
            preferred_vendor_id=rows["acme"].id if cost else None,
            on_hand=Decimal(on_hand),
            active=active,
        )
        dbsession.add(product)
        rows[f"p{digit}"] = product
    dbsession.flush()
    rows["alice"] = make_user(dbsession, f"alice-{data_set.id}")
    dbsession.add(DataSetMember(data_set_id=data_set.id, user_id=rows["alice"].id, role="viewer"))
    _changes(dbsession, data_set, rows)
    dbsession.commit()
    return data_set, rows


def _changes(dbsession: Session, data_set: DataSet, rows: dict[str, Any]) -> None:
    """Cost changes C1..C4 and one price change (not a cost change)."""

    def change(
        product: str, vendor: str, when: str, old: str, new: str, pack: int, **kw: Any
    ) -> None:
        dbsession.add(
            ProductChange(
                data_set_id=data_set.id,
                product_id=rows[product].id,
                vendor_id=rows[vendor].id,
                changed_at=datetime.fromisoformat(when).replace(tzinfo=UTC),
                field=kw.pop("field", "cost"),
                old_unit_cost=Decimal(old),
                new_unit_cost=Decimal(new),
                old_case_cost=Decimal(old) * pack,
                new_case_cost=Decimal(new) * pack,
                old_case_size=pack,
                new_case_size=pack,
                **kw,
            )
        )

    alice = rows["alice"].id
    change(
        "p1",
        "acme",
        "2026-03-02 10:00",
        "4.00",
        "5.00",
        12,
        source="batch",
        batch_id=7,
        changed_by_id=alice,
    )
    change("p2", "beta", "2026-03-05 23:59", "3.20", "3.00", 6, source="edit", reason="New deal")
    change(
        "p3",
        "acme",
        "2026-03-01 09:00",
        "2.00",
        "2.50",
        4,
        source="batch",
        batch_id=7,
        changed_by_id=alice,
    )
    change("p1", "acme", "2026-02-28 23:59", "3.50", "4.00", 12, source="batch", batch_id=5)
    change("p2", "acme", "2026-03-03 12:00", "1", "1", 1, source="edit", field="regular_price")
