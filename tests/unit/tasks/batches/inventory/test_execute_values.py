"""The change log's old and new on-hand as text, worked out by the database: no
trailing zeros, whichever database (PostgreSQL trims the scale, SQLite the text)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Numeric, cast, literal, select
from sqlalchemy.orm import Session

from poser.tasks.batches.inventory.execute import number_text


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
