"""How a count's apply writes the change log: the old and new on-hand as text, worked
out by the database, with no trailing zeros whichever database (PostgreSQL trims the
scale, SQLite the text); on PostgreSQL, in the products' order."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Numeric, cast, literal, select
from sqlalchemy.orm import Session

from poser.models.orm import ProductChange
from poser.tasks.batches.inventory.execute import number_text
from tests.inventory_support import count, handler, set_on_hand


@pytest.mark.parametrize(
    ("value", "text"),
    [("12.000", "12"), ("12.500", "12.5"), ("0.125", "0.125"), ("0", "0"), ("100", "100"),
     ("-3.250", "-3.25"), ("10.000", "10")],
)  # fmt: skip
def test_a_quantity_is_logged_without_trailing_zeros(
    dbsession: Session, value: str, text: str
) -> None:
    dialect = dbsession.get_bind().dialect.name
    column = cast(literal(Decimal(value)), Numeric(12, 3))
    assert dbsession.scalar(select(number_text(column, dialect))) == text


def test_postgresql_logs_an_apply_in_the_products_order(dbsession: Session, files, store) -> None:
    """Each row's foreign key check and index entry then land near the one before."""
    if dbsession.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite logs the rows in the count's order")
    set_on_hand(dbsession, store, butter="10", soap="4", milk="2", other="3")
    products = sorted(
        (store[name] for name in ("butter", "soap", "milk", "other")), key=lambda p: -p.id
    )
    lines = "".join(f"{product.upc.lstrip('0')},1\n" for product in products)  # last first
    batch = count(store, files, lines)
    handler.execute(batch, None)
    logged = dbsession.scalars(
        select(ProductChange.product_id)
        .where(ProductChange.batch_id == batch.id)
        .order_by(ProductChange.id)
    ).all()
    assert logged == sorted(product.id for product in products)
