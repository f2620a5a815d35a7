"""Reading typed values out of spreadsheet and CSV cells.

A cell arrives as whatever the reader made of it: text from a CSV file; int, float,
bool or datetime from a workbook; None when empty. Each function here returns the value
or raises `CellError` with a message meant for the operator (the caller adds where).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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


def cell_int(value: object, *, minimum: int | None = None, maximum: int = MAX_INT) -> int:
    if value is None or value == "":
        raise CellError("a whole number is needed")
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a whole number")
    number: int
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = str(value).strip().replace(",", "")
        if not text.lstrip("-").isdigit():
            raise CellError(f"{value!r} is not a whole number")
        number = int(text)
    if minimum is not None and number < minimum:
        raise CellError(f"{number} is less than {minimum}")
    if number > maximum:
        raise CellError(f"{number} is more than {maximum}")
    return number


def cell_decimal(
    value: object,
    *,
    places: int,
    digits: int,
    required: bool = True,
    negative: bool = False,
) -> Decimal | None:
    """A decimal rounded (half up) to ``places``, with at most ``digits`` digits in all.

    Accepts "$1,234.50" as well as 1234.5: prices pasted from other systems carry both.
    """
    if value is None or value == "":
        if required:
            raise CellError("a number is needed")
        return None
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a number")
    try:
        if isinstance(value, float):
            # repr is the shortest text that reads back as this float: 3.49, not
            # 3.4900000000000002131628207280300557613372802734375.
            number = Decimal(repr(value))
        elif isinstance(value, int | Decimal):
            number = Decimal(value)
        else:
            number = Decimal(str(value).strip().replace(",", "").removeprefix("$"))
    except InvalidOperation:
        raise CellError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise CellError(f"{value!r} is not a number")
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if number < 0 and not negative:
        raise CellError(f"{number} is negative")
    if abs(number) >= Decimal(10) ** (digits - places):
        raise CellError(f"{number} is too large")
    return number


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
