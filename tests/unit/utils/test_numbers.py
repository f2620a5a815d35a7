"""Numbers as vendors write them: each text is read as one value, or is an error that
names it; never a different value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from poser.utils.numbers import (
    COMMA,
    POINT,
    NumberError,
    as_int,
    decide_decimal_mark,
    decimal_mark_shown,
    parse_number,
)

ANY_MARK = (POINT, COMMA, None)

# (text, the decimal marks of files it is read in, the value)
READ = [
    # A mark that is followed by other than three digits is the decimal mark.
    ("23,94", ANY_MARK, "23.94"),
    ("24.50", ANY_MARK, "24.50"),
    ("1,5", ANY_MARK, "1.5"),
    ("0.3333", ANY_MARK, "0.3333"),
    ("1234,567", ANY_MARK, "1234.567"),  # four digits before: no thousands group
    ("0,125", ANY_MARK, "0.125"),  # a group never starts with 0
    (",5", ANY_MARK, "0.5"),
    (".75", ANY_MARK, "0.75"),
    # Both marks: the last one is the decimal mark.
    ("1,234.50", ANY_MARK, "1234.50"),
    ("1.234,50", ANY_MARK, "1234.50"),
    ("12,345,678.9", ANY_MARK, "12345678.9"),
    ("12.345.678,9", ANY_MARK, "12345678.9"),
    # Spaces and apostrophes group thousands.
    ("1 234,50", ANY_MARK, "1234.50"),
    ("1\u00a0234,50", ANY_MARK, "1234.50"),
    ("1\u202f234.50", ANY_MARK, "1234.50"),
    ("1'234.50", ANY_MARK, "1234.50"),
    ("12 345", ANY_MARK, "12345"),
    # A repeated mark groups thousands.
    ("1,234,567", ANY_MARK, "1234567"),
    ("1.234.567", ANY_MARK, "1234567"),
    # One mark between one to three digits and three: the file's decimal mark decides.
    ("1,234", (POINT,), "1234"),
    ("1,234", (COMMA,), "1.234"),
    ("1.234", (COMMA,), "1234"),
    ("1.234", (POINT,), "1.234"),
    ("12,000", (COMMA,), "12.000"),
    # Currencies, signs, brackets, spaces around.
    ("$1,234.50", ANY_MARK, "1234.50"),
    ("€23,94", ANY_MARK, "23.94"),
    ("23,94 €", ANY_MARK, "23.94"),
    ("EUR 12,50", ANY_MARK, "12.50"),
    ("12.50 USD", ANY_MARK, "12.50"),
    ("US$12", ANY_MARK, "12"),
    ("£0.99", ANY_MARK, "0.99"),
    ("  12  ", ANY_MARK, "12"),
    ("+5", ANY_MARK, "5"),
    ("-1.50", ANY_MARK, "-1.50"),
    ("\u22121.50", ANY_MARK, "-1.50"),
    ("(1.50)", ANY_MARK, "-1.50"),
    ("1.234,50-", ANY_MARK, "-1234.50"),
    ("$-1.50", ANY_MARK, "-1.50"),
    ("-$1.50", ANY_MARK, "-1.50"),
]

# (text, the decimal mark of the file, what the message says after the value)
REFUSED = [
    ("1,234", None, "can be read as 1234 or as 1.234"),
    ("12.500", None, "can be read as 12500 or as 12.500"),
    ("1e308", POINT, "is written with an exponent"),
    ("1E+5", COMMA, "is written with an exponent"),
    ("-2.5e-3", POINT, "is written with an exponent"),
    ("inf", POINT, "is not a number"),
    ("Infinity", POINT, "is not a number"),
    ("NaN", POINT, "is not a number"),
    ("INF", POINT, "is not a number"),
    ("N/A", POINT, "is not a number"),
    ("twelve dollars", POINT, "is not a number"),
    ("12 dollars", POINT, "is not a number"),
    ("12.", POINT, "is not a number"),
    ("1,,5", POINT, "is not a number"),
    ("+-5", POINT, "is not a number"),
    ("--5", POINT, "is not a number"),
    ("$$5", POINT, "is not a number"),
    ("$1.50 USD", POINT, "is not a number"),
    ("1.2.3", POINT, "is not a number: its digits are not grouped by thousands"),
    ("1,23.45", POINT, "is not a number: its digits are not grouped by thousands"),
    ("1,23,456.00", POINT, "is not a number: its digits are not grouped by thousands"),
    ("1 23", COMMA, "is not a number: its digits are not grouped by thousands"),
    ("1,234.567,8", POINT, "is not a number"),
    ("1.234 567", COMMA, "is not a number"),
    ("\uff11\uff12", POINT, "is not a number"),  # full-width digits
    ("9" * 40, POINT, "has too many digits"),
    ("9" * 5000, POINT, "is too long to be a number"),
]


@pytest.mark.parametrize(
    ("text", "marks", "expected"), READ, ids=[f"{case[0]!r}-{case[2]}" for case in READ]
)
def test_a_number_is_read_as_written(text: str, marks: tuple[str | None], expected: str) -> None:
    for mark in marks:
        value = parse_number(text, mark)
        assert value == Decimal(expected), mark
        assert str(value) == expected  # exactly: no rounding, no float on the way


@pytest.mark.parametrize(
    ("text", "mark", "message"), REFUSED, ids=[repr(case[0])[:20] for case in REFUSED]
)
def test_a_number_in_doubt_is_an_error_naming_it(text: str, mark: str | None, message: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_number(text, mark)
    assert str(refused.value).startswith(repr(text)[:24])
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("23,94", COMMA),
        ("1.234,50", COMMA),
        ("1.234.567", COMMA),
        ("1 234,5", COMMA),
        ("24.50", POINT),
        ("$1,234.50", POINT),
        ("1,234,567", POINT),
        ("1,234", None),  # either
        ("12", None),
        ("12 345", None),
        ("N/A", None),
        ("1.2.3", None),
    ],
)
def test_the_decimal_mark_a_value_shows(text: str, shown: str | None) -> None:
    assert decimal_mark_shown(text) == shown


@pytest.mark.parametrize(
    ("values", "delimiter", "mark"),
    [
        (["23,94", "1,234"], ",", COMMA),  # the values decide, whatever the delimiter
        (["12.50", "1.234"], ";", POINT),
        (["1,234", "12"], ";", COMMA),  # a semicolon file comes from a decimal-comma locale
        (["1,234", "12"], ",", POINT),
        (["1,234", "12"], "\t", None),  # nothing to go by
        (["1,234", 12.5, None], None, None),  # a workbook's numbers are numbers already
        (["23,94", "12.50"], ";", None),  # values disagree: nothing is decided
        ([], ";", COMMA),
    ],
)
def test_the_decimal_mark_of_a_file(values: list[object], delimiter: str, mark: str) -> None:
    assert decide_decimal_mark(values, delimiter) == mark


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        ("-7", -7),
        ("+3", 3),
        (str(2**63 - 1), 2**63 - 1),
        (str(-(2**63 - 1)), -(2**63 - 1)),
        (str(2**63), None),  # past a BIGINT: a bind SQLite refuses
        ("9" * 20, None),
        ("٣", None),  # an Arabic-Indic three: a digit to int(), not here
        ("1.5", None),
        ("1e3", None),
        (" 4", None),
        ("", None),
    ],
)
def test_as_int_reads_ascii_whole_numbers_a_bigint_holds(text: str, expected: int | None) -> None:
    assert as_int(text) == expected
