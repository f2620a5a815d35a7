"""Numbers as people write them in files: "23,94", "1,234.50", "1.234,50", "1 234,50 €".

A value is read only when its meaning is certain. The decimal mark is a point or a
comma; the other one, a space or an apostrophe groups thousands. Most values show which
is which by themselves: a mark followed by other than three digits, or after a leading
zero, is the decimal mark ("23,94", "0.125"); with both marks, the last one is ("1.234,50");
a mark that repeats groups thousands ("1,234,567"). Only a single mark between one to
three digits and exactly three ("1,234", "12.500") can be either: it is read with the
decimal mark its file uses (see `decide_decimal_mark`), and is an error when that is
not known. Exponents, infinities and very long digit strings are errors, never values.

Written here rather than taken from a library: babel's `parse_decimal` needs the locale
up front and reads "1,234" silently either way depending on it, and price-parser pulls
a price out of any text ("about 12 dollars" is 12) and guesses the decimal mark when a
value does not show it. Here the file decides what it can, and doubt is an error that
names the value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

POINT = "."
COMMA = ","
#: Digits in a number, beyond which it is no price or quantity (a code, a pasted row).
MAX_DIGITS = 30

# Spaces that group thousands: plain, no-break, narrow no-break, thin, figure; and the
# apostrophes of Swiss-style grouping ("1'234.50").
_GROUP_SPACES = " \u00a0\u202f\u2009\u2007'\u2019"
_MINUS = "-\u2212"
_SIGNS = _MINUS + "+"
# Longer than any number written with separators, a sign and a currency.
_MAX_CHARS = 64
_BODY_CHARS = frozenset("0123456789.," + _GROUP_SPACES)
_RUNS = re.compile(r"[0-9]+|[^0-9]")
_EXPONENT = re.compile(r"[-+\u2212]?(?:[0-9]++[.,]?[0-9]*+|[.,][0-9]++)[eE][-+\u2212]?[0-9]++\Z")
# A currency code ("EUR") or a symbol, with up to three letters before it ("US$", "R$").
_CURRENCY_CODE = re.compile(r"[A-Z]{3}\Z")
_INT = re.compile(r"[+-]?\d{1,19}\Z", re.ASCII)
_BIGINT = 2**63 - 1  # larger binds fail in SQLite


class NumberError(ValueError):
    """The text is not a number as written, or its meaning is not certain; the message
    names the value, for the operator."""


def parse_number(text: str, decimal_mark: str | None = POINT) -> Decimal:
    """The number `text` writes, exactly (no rounding).

    `decimal_mark` is the file's: POINT, COMMA, or None when the file does not show it,
    in which case a value that could be read both ways is an error.
    """
    negative, body = _strip_affixes(text)
    runs, separators = _split(text, body)
    mark_at = _locate_mark(text, runs, separators, decimal_mark)
    grouped = runs if mark_at is None else runs[: mark_at + 1]
    whole = "".join(grouped) or "0"
    number = Decimal(whole if mark_at is None else f"{whole}.{runs[mark_at + 1]}")
    return -number if negative else number


def decimal_mark_shown(text: str) -> str | None:
    """The decimal mark a value shows by itself (POINT or COMMA), or None when it shows
    none: a whole number, one that could be read both ways, or not a number at all."""
    try:
        _, body = _strip_affixes(text)
        runs, separators = _split(text, body)
        mark_at = _locate_mark(text, runs, separators, None)
    except NumberError:
        return None
    if mark_at is not None:
        return separators[mark_at]
    if "." in separators:
        return COMMA  # points group thousands: "1.234.567"
    if "," in separators:
        return POINT
    return None


def decide_decimal_mark(values: Iterable[object], delimiter: str | None = None) -> str | None:
    """The decimal mark of a file, from the values it shows and its delimiter.

    Values that show a mark decide, unless they show both (then nothing is decided, and
    values that could be read both ways are errors). Without any: a semicolon-delimited
    file comes from a locale whose decimal mark is a comma (which is why its list
    separator is a semicolon), a comma-delimited one from a locale that writes a point.
    """
    seen: set[str] = set()
    for value in values:
        if value.__class__ is str:
            mark = decimal_mark_shown(value)  # type: ignore[arg-type]
            if mark is not None:
                seen.add(mark)
    if len(seen) == 1:
        return seen.pop()
    if seen:
        return None
    if delimiter == ";":
        return COMMA
    if delimiter == ",":
        return POINT
    return None


def _strip_affixes(text: str) -> tuple[bool, str]:
    """(negative, the digits and separators) of a value, without its sign, brackets and
    currency; NumberError when anything else is around it."""
    rest = text.strip()
    if not rest:
        raise NumberError("a number is needed")
    if len(rest) > _MAX_CHARS:
        raise NumberError(f"{text[:24]!r}... is too long to be a number")
    if _EXPONENT.match(rest.replace(" ", "")):
        raise NumberError(f"{text!r} is written with an exponent; write the number in full")
    signed = negative = False
    if rest[0] == "(" and rest[-1] == ")":  # accounting's negative: (1.50)
        signed = negative = True
        rest = rest[1:-1].strip()
    currency = False
    for _ in range(3):  # a sign and a currency, in any order, on either side
        if rest and not signed and rest[0] in _SIGNS:
            signed, negative, rest = True, rest[0] != "+", rest[1:].lstrip()
        elif rest and not signed and rest[-1] in _MINUS:  # "1.234,50-", as SAP writes it
            signed, negative, rest = True, True, rest[:-1].rstrip()
        elif not currency and (stripped := _strip_currency(rest)) is not None:
            currency, rest = True, stripped
        else:
            break
    if not rest or not _BODY_CHARS.issuperset(rest) or not rest[-1].isdigit():
        raise NumberError(f"{text!r} is not a number")
    return negative, rest


def _strip_currency(text: str) -> str | None:
    """`text` without a currency sign or code at its start or end, or None if it has none."""
    for token in (_leading_token(text), _trailing_token(text)):
        if token and _is_currency(token):
            return (text[len(token) :] if text.startswith(token) else text[: -len(token)]).strip()
    return None


def _leading_token(text: str) -> str:
    end = 0
    while end < len(text) and not _ends_token(text[end]):
        end += 1
    return text[:end]


def _trailing_token(text: str) -> str:
    start = len(text)
    while start > 0 and not _ends_token(text[start - 1]):
        start -= 1
    return text[start:]


def _ends_token(char: str) -> bool:
    return char.isdigit() or char in _BODY_CHARS or char in _SIGNS


def _is_currency(token: str) -> bool:
    if _CURRENCY_CODE.match(token):
        return True
    letters, symbol = token[:-1], token[-1]
    return (
        unicodedata.category(symbol) == "Sc"
        and len(letters) <= 3
        and (not letters or (letters.isascii() and letters.isalpha() and letters.isupper()))
    )


def _split(text: str, body: str) -> tuple[list[str], list[str]]:
    """The digit runs of `body` and the separators between them (spaces as " ")."""
    runs: list[str] = []
    separators: list[str] = []
    expect_digits = True
    for piece in _RUNS.findall(body):
        if piece[0].isdigit():
            runs.append(piece)
            expect_digits = False
            continue
        if expect_digits and runs:
            raise NumberError(f"{text!r} is not a number")  # two separators in a row
        if not runs:
            runs.append("")  # ".50": nothing before the mark
        separators.append(" " if piece in _GROUP_SPACES else piece)
        expect_digits = True
    if sum(len(run) for run in runs) > MAX_DIGITS:
        raise NumberError(f"{text[:24]!r}... has too many digits to be a number of this file")
    return runs, separators


def _is_decimal_by_form(runs: list[str], at: int) -> bool:
    """Whether the single mark after runs[at] can only be a decimal mark: three digits
    follow a group, and the first group has one to three digits, without a leading zero."""
    before, after = runs[at], runs[at + 1]
    return len(after) != 3 or at != 0 or not 1 <= len(before) <= 3 or before[0] == "0"


def _locate_mark(
    text: str, runs: list[str], separators: list[str], decimal_mark: str | None
) -> int | None:
    """Which separator is the decimal mark (None: the number is whole), after checking
    that the others group thousands: one to three digits, then groups of three."""
    marks = [s for s in separators if s in ".,"]
    kinds = set(separators)
    mark_at: int | None = None
    if len(set(marks)) == 2:
        # The last mark is the decimal mark, once, and the other one groups.
        if separators[-1] not in ".," or separators.count(separators[-1]) > 1 or " " in kinds:
            raise NumberError(f"{text!r} is not a number")
        mark_at = len(separators) - 1
    elif len(marks) == 1:
        at = separators.index(marks[0])
        if " " in kinds:
            # Spaces group, so the one mark is the decimal mark, and it comes last.
            if at != len(separators) - 1:
                raise NumberError(f"{text!r} is not a number")
            mark_at = at
        elif _is_decimal_by_form(runs, at) or decimal_mark == marks[0]:
            mark_at = at
        elif decimal_mark is None:
            raise NumberError(
                f"{text!r} can be read as {runs[0]}{runs[1]} or as {runs[0]}.{runs[1]}, and the "
                "file does not show whether its decimal mark is a point or a comma"
            )
    grouped = runs if mark_at is None else runs[: mark_at + 1]
    if len(grouped) > 1 and (
        not 1 <= len(grouped[0]) <= 3 or any(len(run) != 3 for run in grouped[1:])
    ):
        raise NumberError(f"{text!r} is not a number: its digits are not grouped by thousands")
    return mark_at


def as_int(text: str) -> int | None:
    """``text`` as a whole number that both databases can bind (a BIGINT), or None:
    ASCII digits alone (Python's int() also reads other scripts' digits: ٣ is 3)."""
    if not _INT.match(text) or abs(int(text)) > _BIGINT:
        return None
    return int(text)
