"""A small Products data set whose feed is worked out by hand in the tests.

=================  ===========  =====  =====  ========  =====  =======  ======
code (stored)      description  brand  size   dept      price  on hand  active
=================  ===========  =====  =====  ========  =====  =======  ======
00012345678905     Milk         Dairy  1 gal  Dairy 1   3.49   12       yes
04006381333931     Pencils      Stab   10 ct  —         5.00   0        yes
10012345678902     Cola case    Fizz   24 pk  Drinks 7  12.00  -1       yes
00000000004011     Bananas                    Produce 2 0.59   40.5     yes
00000000000017     Old stock    Dairy         Dairy 1   2.00   3        no
00000000000024     New item                   Dairy 1   —      6        yes
=================  ===========  =====  =====  ========  =====  =======  ======

The feed lists the active products with a price (the first four), by stored code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from poser.models.orm import DataSet, Department, Product
from tests.factories import make_data_set

PRODUCTS = [
    ("00012345678905", "Milk", "Dairy", "1 gal", "dairy", "3.49", "12", True),
    ("04006381333931", "Pencils", "Stab", "10 ct", None, "5.00", "0", True),
    ("10012345678902", "Cola case", "Fizz", "24 pk", "drinks", "12.00", "-1", True),
    ("00000000004011", "Bananas", "", "", "produce", "0.59", "40.5", True),
    ("00000000000017", "Old stock", "Dairy", "", "dairy", "2.00", "3", False),
    ("00000000000024", "New item", "", "", "dairy", None, "6", True),
]


def make_feed_store(dbsession: Session, name: str = "Feed Store") -> tuple[DataSet, dict[str, Any]]:
    data_set = make_data_set(dbsession, name)
    data_set.application = "products"
    departments = {
        "dairy": Department(data_set_id=data_set.id, number=1, name="Dairy"),
        "produce": Department(data_set_id=data_set.id, number=2, name="Produce"),
        "drinks": Department(data_set_id=data_set.id, number=7, name="Drinks"),
    }
    dbsession.add_all(departments.values())
    dbsession.flush()
    for upc, description, brand, size, department, price, on_hand, active in PRODUCTS:
        dbsession.add(
            Product(
                data_set_id=data_set.id,
                upc=upc,
                description=description,
                brand=brand,
                size=size,
                department_id=departments[department].id if department else None,
                regular_price=Decimal(price) if price else None,
                on_hand=Decimal(on_hand),
                active=active,
            )
        )
    dbsession.commit()
    return data_set, departments
