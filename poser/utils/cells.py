"""Reading typed values out of spreadsheet and CSV cells.

A cell arrives as whatever the reader made of it: text from a CSV file; int, float,
bool or datetime from a workbook; None when empty. Each function here returns the value
or raises `CellError` with a message meant for the operator (the caller adds where).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from poser.utils.numbers import POINT, NumberError, parse_number

_TRUE = frozenset({"true", "yes", "y", "1", "x"})
_FALSE = frozenset({"false", "no", "n", "0"})


class CellError(ValueError):
    """The value cannot be read as the type asked for."""


def cell_text(value: object, max_length: int, *, required: bool = True) -> str:
    """Text, with whole numbers written without ".0" (a code typed into a sheet)."""
    if value is None or value == "":
        if required:
            raise CellError("a value is needed")
        return ""
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not text")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if required and not text:
        raise CellError("a value is needed")
    if len(text) > max_length:
        raise CellError(f"{text[:20]!r}... is longer than {max_length} characters")
    return text


#: The largest value an INTEGER column holds on every database.
MAX_INT = 2**31 - 1


def cell_int(
    value: object,
    *,
    minimum: int | None = None,
    maximum: int = MAX_INT,
    decimal_mark: str | None = POINT,
) -> int:
    """A whole number; text as `cell_decimal` reads it ("1,200" with a point as the
    decimal mark, "12,000" with a comma: SAP writes quantities with three decimals)."""
    if value is None or value == "":
        raise CellError("a whole number is needed")
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a whole number")
    if isinstance(value, int):
        number: int | float | Decimal = value
    elif isinstance(value, float):
        if not value.is_integer():  # also infinities and NaN
            raise CellError(f"{value!r} is not a whole number")
        number = value
    else:
        try:
            number = parse_number(str(value), decimal_mark)
        except NumberError as error:
            raise CellError(str(error)) from None
        if number != number.to_integral_value():
            raise CellError(f"{value!r} is not a whole number")
    # Compared before int(): a float of 1e300 is whole, and its digits are not wanted.
    if minimum is not None and number < minimum:
        raise CellError(f"{_shown(value)} is less than {minimum}")
    if number > maximum:
        raise CellError(f"{_shown(value)} is more than {maximum}")
    return int(number)


def cell_decimal(
    value: object,
    *,
    places: int,
    digits: int,
    required: bool = True,
    negative: bool = False,
    decimal_mark: str | None = POINT,
) -> Decimal | None:
    """A decimal rounded (half up) to ``places``, with at most ``digits`` digits in all.

    Text is read as `poser.utils.numbers` reads it: "$1,234.50", "1.234,50 €" and
    "23,94" alike; ``decimal_mark`` is the file's (None: not known, and a value that
    could be read both ways is an error). Exponents and infinities are errors.
    """
    if value is None or value == "":
        if required:
            raise CellError("a number is needed")
        return None
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(f"{value!r} is not a number")
        # repr is the shortest text that reads back as this float: 3.49, not
        # 3.4900000000000002131628207280300557613372802734375.
        number = Decimal(repr(value))
    elif isinstance(value, int | Decimal):
        number = Decimal(value)
        if not number.is_finite():
            raise CellError(f"{value!r} is not a number")
    else:
        try:
            number = parse_number(str(value), decimal_mark)
        except NumberError as error:
            raise CellError(str(error)) from None
    # Checked before rounding: quantize fails on a number with more digits than the
    # context holds (1e308), and the digits beyond the column are not wanted anyway.
    if number and number.adjusted() >= digits - places:
        raise CellError(f"{_shown(value)} is too large")
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if number < 0 and not negative:
        raise CellError(f"{number} is negative")
    if abs(number) >= Decimal(10) ** (digits - places):  # 99.999 rounds up to 100.00
        raise CellError(f"{number} is too large")
    return number


def _shown(value: object) -> str:
    """A value as the operator wrote it, for a message."""
    return repr(value) if isinstance(value, str) else str(value)


def cell_bool(value: object, *, default: bool | None = None) -> bool:
    """TRUE/FALSE cells, 1/0, and yes/no, true/false, y/n or x in any case."""
    if value is None or value == "":
        if default is None:
            raise CellError("yes or no is needed")
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"{value!r} is not yes or no")
