"""UPC, EAN and GTIN codes: the check digit, and the one form codes are stored in.

Files spell the same item's code many ways: a UPC-A of 12 digits, an EAN-13 with a
leading zero, a GTIN-14, with dashes or spaces, or as a number whose leading zeros a
spreadsheet dropped. Zero-padding the digits to 14 makes all of them the same string.
Store codes (produce PLUs, scale labels) have no valid check digit and are kept too.
"""

from __future__ import annotations

import re

GTIN_LENGTH = 14
_SEPARATORS = re.compile(r"[\s\-.]")


class UpcError(ValueError):
    """Not something a code can be made of; the message is meant for the operator."""


def check_digit(body: str) -> int:
    """The GS1 check digit for ``body`` (a code without its last digit).

    From the right, digits are weighted 3, 1, 3, 1...; the check digit tops the sum up
    to a multiple of ten. The same rule serves UPC-A, EAN-8, EAN-13 and GTIN-14.
    """
    if not body.isdigit():
        raise ValueError(f"not digits: {body!r}")
    # Slices and map(int) instead of a loop over digits: this runs once per line of
    # vendor files of a million lines.
    reverse = body[::-1]
    total = 3 * sum(map(int, reverse[0::2])) + sum(map(int, reverse[1::2]))
    return (10 - total % 10) % 10


def has_valid_check_digit(code: str) -> bool:
    return len(code) >= 2 and code.isdigit() and check_digit(code[:-1]) == int(code[-1])


def wrong_check_digit(typed: str) -> str:
    """Why a code whose check digit does not hold is refused, in the operator's words.
    Eleven digits are a UPC-A without its check digit (typed from the label, whose
    small last digit is easy to miss): the message gives the code with it."""
    digits = _SEPARATORS.sub("", typed)
    if len(digits) == 11 and digits.isdigit():
        whole = digits + str(check_digit(digits))
        return (
            f"UPC {digits}: it has 11 digits, so its check digit is missing "
            f"(a UPC has 12: with it, {whole})"
        )
    return f"UPC {digits.lstrip('0') or digits}: the check digit is wrong"


def normalize_upc(value: object) -> str:
    """The stored form of a code: its digits, zero-padded to 14.

    Accepts text with spaces, dashes or dots between digit groups, and whole numbers
    (a spreadsheet cell holding 12345678905.0 means "012345678905").
    """
    if isinstance(value, bool) or value is None:
        raise UpcError("a UPC is needed")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not value.is_integer() or value < 0:
            raise UpcError(f"{value!r} is not a UPC (it has a fraction)")
        text = str(int(value))
    else:
        text = _SEPARATORS.sub("", str(value))
    if not text:
        raise UpcError("a UPC is needed")
    if not (text.isascii() and text.isdigit()):
        raise UpcError(f"{value!r} is not a UPC: only digits are allowed")
    if len(text) > GTIN_LENGTH:
        raise UpcError(f"{value!r} is not a UPC: it has more than {GTIN_LENGTH} digits")
    if int(text) == 0:
        raise UpcError(f"{value!r} is not a UPC: it is all zeros")
    return text.zfill(GTIN_LENGTH)
