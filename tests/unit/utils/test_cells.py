from __future__ import annotations

from decimal import Decimal

import pytest

from poser.utils.cells import CellError, cell_bool, cell_decimal, cell_int, cell_text


def test_text() -> None:
    assert cell_text(" Dairy ", 10) == "Dairy"
    assert cell_text(1001.0, 10) == "1001"  # an item code typed as a number
    assert cell_text(None, 10, required=False) == ""
    with pytest.raises(CellError, match="a value is needed"):
        cell_text(None, 10)
    with pytest.raises(CellError, match="longer than 3 characters"):
        cell_text("Grocery", 3)


def test_int() -> None:
    assert cell_int(12) == cell_int(12.0) == cell_int(" 12 ") == 12
    assert cell_int("1,200") == 1200
    assert cell_int("12,000", decimal_mark=",") == 12  # SAP's quantities: three decimals
    # "1,2" groups no thousands: it is one and two tenths, not twelve.
    for bad in (None, True, 1.5, "twelve", "1,2", 1e300, float("inf"), "9" * 5000):
        with pytest.raises(CellError):
            cell_int(bad)
    with pytest.raises(CellError, match="0 is less than 1"):
        cell_int(0, minimum=1)
    with pytest.raises(CellError, match="is more than 2147483647"):
        cell_int("99999999999")


def test_decimal() -> None:
    assert cell_decimal(3.49, places=2, digits=10) == Decimal("3.49")
    assert cell_decimal("$1,234.5", places=2, digits=10) == Decimal("1234.50")
    assert cell_decimal(0.12345, places=4, digits=10) == Decimal("0.1235")  # half up
    assert cell_decimal(None, places=2, digits=10, required=False) is None
    assert cell_decimal("-2", places=3, digits=12, negative=True) == Decimal("-2.000")
    with pytest.raises(CellError, match="is negative"):
        cell_decimal(-1, places=2, digits=10)
    with pytest.raises(CellError, match="too large"):
        cell_decimal(10**8, places=2, digits=10)
    for bad in ("abc", "nan", True):
        with pytest.raises(CellError, match="is not a number"):
            cell_decimal(bad, places=2, digits=10)


def test_bool() -> None:
    assert cell_bool(True)
    assert cell_bool(1)
    assert cell_bool("Yes")
    assert cell_bool(" x ")
    assert not (cell_bool(False))
    assert not (cell_bool(0))
    assert not (cell_bool("no"))
    assert not (cell_bool("FALSE"))
    assert cell_bool(None, default=True) is True
    with pytest.raises(CellError, match="yes or no is needed"):
        cell_bool(None)
    with pytest.raises(CellError, match="is not yes or no"):
        cell_bool("maybe")
