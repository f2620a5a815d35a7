from __future__ import annotations

import pytest

from poser.utils.upc import (
    UpcError,
    check_digit,
    has_valid_check_digit,
    normalize_upc,
    wrong_check_digit,
)


@pytest.mark.parametrize(
    "code",
    ["036000291452", "012345678905", "4006381333931", "96385074", "00012345678905"],
)
def test_valid_check_digits(code: str) -> None:
    assert has_valid_check_digit(code)
    assert check_digit(code[:-1]) == int(code[-1])


def test_invalid_check_digits() -> None:
    assert not has_valid_check_digit("036000291453")
    assert not has_valid_check_digit("4")
    assert not has_valid_check_digit("03600029145x")


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("036000291452", "00036000291452"),
        ("0-36000-29145-2", "00036000291452"),
        (" 036000 291452 ", "00036000291452"),
        (36000291452, "00036000291452"),  # a spreadsheet dropped the leading zero
        (36000291452.0, "00036000291452"),
        ("4011", "00000000004011"),  # a produce code: kept, though it has no check digit
        ("10036000291459", "10036000291459"),
    ],
)
def test_normalize(value: object, stored: str) -> None:
    assert normalize_upc(value) == stored


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "a UPC is needed"),
        ("", "a UPC is needed"),
        (True, "a UPC is needed"),
        ("12AB", "only digits"),
        ("١٢٣", "only digits"),  # digits, but not ASCII ones
        ("123456789012345", "more than 14 digits"),
        (3.5, "has a fraction"),
        ("0000", "all zeros"),
    ],
)
def test_normalize_refuses(value: object, message: str) -> None:
    with pytest.raises(UpcError, match=message):
        normalize_upc(value)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        # A UPC-A typed without its check digit: the code with it is given.
        (
            "03600029145",
            "UPC 03600029145: it has 11 digits, so its check digit is missing "
            "(a UPC has 12: with it, 036000291452)",
        ),
        (
            "0-36000-29145",
            "UPC 03600029145: it has 11 digits, so its check digit is missing "
            "(a UPC has 12: with it, 036000291452)",
        ),
        # A whole code whose last digit is not the check digit.
        ("036000291453", "UPC 36000291453: the check digit is wrong"),
        ("00000036000291453", "UPC 36000291453: the check digit is wrong"),
    ],
)
def test_a_wrong_check_digit_is_said_in_words_and_a_missing_one_given(
    typed: str, said: str
) -> None:
    assert wrong_check_digit(typed) == said
