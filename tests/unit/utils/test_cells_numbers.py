"""Cells holding numbers no column can hold: each is a CellError with a message, never
an exception of the decimal module, a giant integer or a silently different value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from poser.utils.cells import MAX_INT, CellError, cell_decimal, cell_int


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1e308, "1e+308 is too large"),  # a workbook's number: quantize would fail on it
        (1e30, "1e+30 is too large"),
        (-1e308, "-1e+308 is too large"),
        (Decimal("1E+400"), "1E+400 is too large"),
        ("1e308", "'1e308' is written with an exponent"),
        ("99999999999999999999", "'99999999999999999999' is too large"),
        ("9" * 5000, "is too long to be a number"),
        (float("inf"), "inf is not a number"),
        (float("nan"), "nan is not a number"),
        (Decimal("Infinity"), "Decimal('Infinity') is not a number"),
        ("Infinity", "'Infinity' is not a number"),
        ("99999999.995", "100000000.00 is too large"),  # rounds past the column
    ],
)
def test_a_decimal_past_its_column_is_an_error(value: object, message: str) -> None:
    with pytest.raises(CellError) as refused:
        cell_decimal(value, places=2, digits=10, negative=True)
    assert message in str(refused.value)


def test_a_decimal_reads_the_files_decimal_mark() -> None:
    assert cell_decimal("23,94", places=2, digits=10) == Decimal("23.94")  # not 2394
    assert cell_decimal("1.234,5", places=2, digits=10) == Decimal("1234.50")
    assert cell_decimal("1,234", places=4, digits=10, decimal_mark=",") == Decimal("1.2340")
    with pytest.raises(CellError, match=r"^'1,234' can be read as 1234 or as 1\.234"):
        cell_decimal("1,234", places=2, digits=10, decimal_mark=None)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1e300, "1e+300 is more than 2147483647"),
        (2**40, f"{2**40} is more than {MAX_INT}"),
        ("9" * 20, f"'{'9' * 20}' is more than {MAX_INT}"),
        ("9" * 5000, "is too long to be a number"),
        ("1e9", "'1e9' is written with an exponent"),
        ("\u00b2", "'\u00b2' is not a number"),  # a superscript two: a digit to str.isdigit
        (float("inf"), "inf is not a whole number"),
        ("12,5", "'12,5' is not a whole number"),
    ],
)
def test_a_whole_number_past_an_integer_is_an_error(value: object, message: str) -> None:
    with pytest.raises(CellError) as refused:
        cell_int(value)
    assert message in str(refused.value)
