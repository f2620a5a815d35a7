"""A handheld scanner's export read into row records, a chunk at a time.

The shapes scanners write, with or without a header row: ``UPC,qty`` (or separated by
a semicolon, a tab or spaces: ``UPC qty``), ``UPC`` alone (one line per scan, each
counting one), and a third column for the section or aisle. A header may name the
columns (UPC or Barcode; Qty, Quantity, Count or Cases; Section, Aisle or Location;
Unit, each or case per line).

Its text (encodings, line ends, binary files) is ``scanner_text``'s. A line without the
file's separator is split on another one, or on spaces: a file may mix shapes. Empty
fields at the end of a line (a spreadsheet's empty columns) are not columns. A
semicolon-separated file writes decimals with a comma ("1,5"); in others a comma before
one or two digits is a decimal comma too, and before three digits it is in doubt
(``poser.utils.numbers``, as for catalogs' costs).

What is refused, and where:

- the whole file (a BatchError naming it): empty, binary (a spreadsheet, an image),
  a vendor catalog (a header with costs, prices or descriptions, or more than three
  columns), a header without a UPC column, or not one line that reads as a count;
- one line (status "error" and a message, the rest of the file still read): a UPC
  that is not one (or that a spreadsheet wrote in scientific notation), a quantity that
  is not a number, negative, with more than three decimals, or more than
  ``MAX_QUANTITY`` (a UPC in the quantity column), an unknown unit, a section longer
  than ``MAX_SECTION``, a NUL character. Whether a fraction may be counted is the
  product's to say, so it is checked when the rows are compared (``compare``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, BinaryIO

from poser.tasks.batches.base import BatchError
from poser.tasks.batches.catalog.rows import STORE_CODE_DIGITS
from poser.tasks.batches.inventory.scanner_text import read_head, text_lines
from poser.utils.numbers import COMMA, NumberError, parse_number
from poser.utils.upc import (
    GTIN_LENGTH,
    UpcError,
    has_valid_check_digit,
    normalize_upc,
    wrong_check_digit,
)

CHUNK_ROWS = 5_000
#: More than this on one line is not a count but a typo (a UPC in the quantity column).
MAX_QUANTITY = Decimal(100_000)
MAX_SECTION = 50
_QUANTITY = re.compile(r"\+?[0-9]{1,9}(?:\.[0-9]{0,3})?\Z")
_NEGATIVE = re.compile(r"-\s*[0-9]+(?:\.[0-9]*)?\Z")
#: "3.60003E+10": a UPC cell a spreadsheet shows (and exports) with its digits dropped.
_SCIENTIFIC = re.compile(r"[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]{1,2}\Z")
#: "36000291452.0": a UPC a tool exported as a decimal number.
_WHOLE_NUMBER = re.compile(r"([0-9]{6,14})\.0+\Z")
_QUOTED = re.compile(r'"[^"]*"')
_HEADER_PUNCTUATION = re.compile(r"[^a-z0-9]+")
_TOO_PRECISE = re.compile(r"[0-9]+\.[0-9]{4,}\Z")

UPC_HEADERS = {
    "upc", "barcode", "bar code", "gtin", "ean", "upc code", "code", "scan", "sku", "upc ean",
}  # fmt: skip
QUANTITY_HEADERS = {"qty", "quantity", "count", "counted", "units", "qty counted", "on hand"}
CASES_HEADERS = {"cases", "case qty", "qty cases"}
SECTION_HEADERS = {"section", "aisle", "location", "area", "bin", "shelf", "zone"}
UNIT_HEADERS = {"unit", "uom", "unit of measure"}
#: Header words that say the file is a vendor catalog, not a count.
CATALOG_HEADERS = ("cost", "price", "description", "vendor", "pack", "brand")
UNIT_WORDS = {
    "": "units",
    "u": "units",
    "ea": "units",
    "each": "units",
    "unit": "units",
    "units": "units",
    "cs": "cases",
    "case": "cases",
    "cases": "cases",
}
MAX_COLUMNS = 3
NUL_MESSAGE = (
    "the line holds a NUL character (invisible, left by a damaged export); correct it in the file"
)


def read_count_file(
    stream: BinaryIO,
    name: str,
    unit: str,
    batch_id: int,
    data_set_id: int,
    size: int = CHUNK_ROWS,
) -> Iterator[list[dict[str, Any]]]:
    """The lines of ``stream`` as chunks of row records (``unit``: the file's unit,
    "units" or "cases", unless its header or a line says). BatchError when the file is
    refused; a refusal found at the end (no readable line) comes after the chunks, so
    the caller's transaction, which holds them, rolls back."""
    head, encoding = read_head(stream, name)
    lines = enumerate(text_lines(head, stream, encoding, name), start=1)
    number, first = next(((n, text) for n, text in lines if text.strip()), (0, ""))
    delimiter, split = _splitter(first.replace("\0", ""))
    fields = _without_empty_end(split(first.replace("\0", "")))
    columns = _columns_of_header(fields, name)
    pending = []
    if columns is None:
        if len(fields) > MAX_COLUMNS:
            raise BatchError(
                f"{name} has {len(fields)} columns: a count has a UPC, a quantity and perhaps "
                "a section. Is it a vendor catalog? Upload that on the Catalog's Upload step."
            )
        columns = {"upc": 0, "quantity": 1, "section": 2}
        pending = [(number, first)]
    file_unit = "cases" if columns.pop("cases", None) is not None else unit
    readable = total = 0
    first_problem = ""
    chunk: list[dict[str, Any]] = []
    for number, text in _chain(pending, lines):
        if not text.strip():
            continue
        total += 1
        nul = "\0" in text
        fields = split(text.replace("\0", "") if nul else text)
        record = read_line(
            fields, columns, file_unit, name, number, batch_id, data_set_id, delimiter == ";"
        )
        if nul:
            _error(record, NUL_MESSAGE)
        if record["status"] is None:
            readable += 1
        elif not first_problem:
            first_problem = f"line {number}: {record['message']}"
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
    if total == 0:
        raise BatchError(f"{name} has a header row but no lines under it.")
    if readable == 0:
        raise BatchError(
            f"No line of {name} reads as a count (a UPC and a quantity): {first_problem}."
        )


def _chain(
    first: list[tuple[int, str]], rest: Iterator[tuple[int, str]]
) -> Iterator[tuple[int, str]]:
    yield from first
    yield from rest


def _error(record: dict[str, Any], message: str) -> None:
    record["status"] = "error"
    record["message"] = "; ".join(filter(None, (record["message"], message)))


def _without_empty_end(fields: list[str]) -> list[str]:
    while fields and not fields[-1]:
        fields.pop()
    return fields


def _splitter(line: str) -> tuple[str, Any]:
    """The file's separator, from its first line outside quotes (" ": spaces), and how a
    line's fields are split: by the file's separator, or by another one the line holds,
    or on spaces. A line without a quote is split as the csv module would split it, without
    its per-line cost."""
    delimiters = ("\t", ";", ",")  # a comma beside the others is a decimal comma
    unquoted = _QUOTED.sub("", line)
    delimiter = next((d for d in delimiters if d in unquoted), " ")
    others = tuple(d for d in delimiters if d != delimiter)

    def split(text: str) -> list[str]:
        d = delimiter if delimiter in text else next((o for o in others if o in text), " ")
        if d == " ":
            return text.split()
        if '"' in text:
            return [f.strip() for f in next(csv.reader([text], delimiter=d), [])]
        return [f.strip() for f in text.split(d)]

    return delimiter, split


def _columns_of_header(fields: list[str], name: str) -> dict[str, int] | None:
    """The columns a header row names; None when the line is not a header (its first
    field is a code: digits)."""
    if not fields or _looks_like_code(fields[0]):
        return None
    names = [_HEADER_PUNCTUATION.sub(" ", field.lower()).strip() for field in fields]
    catalog = [fields[i] for i, n in enumerate(names) if any(w in n for w in CATALOG_HEADERS)]
    if catalog:
        raise BatchError(
            f"{name} looks like a vendor catalog, not a count (it has the columns "
            f"{', '.join(catalog)}): upload it on the Catalog's Upload step."
        )
    columns: dict[str, int] = {}
    for index, header in enumerate(names):
        for key, known in (
            ("upc", UPC_HEADERS),
            ("quantity", QUANTITY_HEADERS),
            ("cases", CASES_HEADERS),
            ("section", SECTION_HEADERS),
            ("unit", UNIT_HEADERS),
        ):
            if header in known and key not in columns:
                columns[key] = index
    if "cases" in columns:
        columns.setdefault("quantity", columns["cases"])
    if "upc" not in columns:
        raise BatchError(
            f"{name} has a header row ({', '.join(fields)}) without a UPC column: name it "
            "UPC or Barcode, or leave the header out (UPC first, then the quantity)."
        )
    unnamed = [fields[i] for i, n in enumerate(names) if n and i not in columns.values()]
    if "quantity" not in columns and unnamed:  # a header of "UPC" alone: one line per scan
        raise BatchError(
            f"{name} has a header row ({', '.join(fields)}) without a quantity column: name it "
            "Qty, Quantity or Count (Cases for cases), or leave the header out (UPC first, then "
            "the quantity)."
        )
    if len(fields) > len(columns) + 1 and len(fields) > MAX_COLUMNS:
        raise BatchError(
            f"{name} has {len(fields)} columns: a count has a UPC, a quantity and perhaps "
            "a section. Is it a vendor catalog? Upload that on the Catalog's Upload step."
        )
    return columns


def _looks_like_code(text: str) -> bool:
    stripped = text.strip().strip('"').replace("-", "").replace(" ", "")
    return stripped.isdigit() or not any(c.isalpha() for c in stripped)


def read_line(
    fields: list[str],
    columns: dict[str, int],
    unit: str,
    name: str,
    number: int,
    batch_id: int,
    data_set_id: int,
    decimal_comma: bool = False,
) -> dict[str, Any]:
    """One line's record; status "error" and a message when it cannot be counted
    (``decimal_comma``: "1,500" is 1.5, as a semicolon-separated file writes it).
    Runs once per line of files of 200,000 lines: the usual plain digits take a short
    path (``read_upc``, ``read_quantity``)."""
    count = len(fields)
    index = columns.get("upc")
    upc_text = fields[index][:50] if index is not None and index < count else ""
    errors: list[str] = []
    upc = read_upc(upc_text, errors)
    line_unit = unit
    index = columns.get("quantity")
    quantity = read_quantity(
        fields[index] if index is not None and index < count else None,
        index is not None and count > 1,
        errors,
        decimal_comma,
    )
    index = columns.get("section")
    section = fields[index] if index is not None and index < count else ""
    if len(section) > MAX_SECTION:
        errors.append(
            f"the section is {len(section):,} characters long, more than {MAX_SECTION}: "
            "is the line whole?"
        )
        section = section[:MAX_SECTION]
    index = columns.get("unit")
    unit_text = fields[index] if index is not None and index < count else None
    if unit_text is not None:
        line_unit = UNIT_WORDS.get(unit_text.strip().lower(), "")
        if not line_unit:
            errors.append(f"unit {unit_text!r}: give units (each) or cases")
            line_unit, quantity = unit, None  # a row read wrong has no quantity
    return {
        "data_set_id": data_set_id,
        "batch_id": batch_id,
        "line": number,
        "file_name": name[:255],
        "upc_text": upc_text,
        "upc": upc,
        "section": section,
        "quantity": quantity,
        "unit": line_unit,
        "quantity_units": quantity if line_unit == "units" else None,
        "status": "error" if errors else None,
        "flagged": False,
        "message": "; ".join(errors),
    }


def read_upc(text: str, errors: list[str]) -> str | None:
    """The stored form of a scanned code (see poser.utils.upc), its check digit checked
    when it is long enough to have one; None, with the problem in ``errors``, if not."""
    if len(text) <= GTIN_LENGTH and text.isascii() and text.isdigit() and text.strip("0"):
        upc = text.zfill(GTIN_LENGTH)  # the usual plain digits: what normalize_upc gives
        if len(text.lstrip("0")) > STORE_CODE_DIGITS and not _check_digit_holds(upc):
            errors.append(wrong_check_digit(text))
            return None
        return upc
    if _SCIENTIFIC.match(text.strip()):
        errors.append(
            f"UPC {text.strip()}: a spreadsheet wrote it in scientific notation, which drops "
            "its last digits; format the UPC column as text and export the file again"
        )
        return None
    whole = _WHOLE_NUMBER.match(text.strip())
    try:
        upc = normalize_upc(whole.group(1) if whole else text)
    except UpcError as error:
        errors.append(f"UPC: {error}")
        return None
    if len(upc.lstrip("0")) > STORE_CODE_DIGITS and not has_valid_check_digit(upc):
        errors.append(wrong_check_digit(whole.group(1) if whole else text))
        return None
    return upc


#: The GS1 weighted sum (3, 1, 3, 1) of every four digits: a code's check digit in
#: four look-ups instead of a loop over its digits (poser.utils.upc's rule, which the
#: unit tests hold this to); this runs once per line of counts of 200,000 lines.
_SUMS = {
    f"{n:04d}": 3 * (n // 1000) + n // 100 % 10 + 3 * (n // 10 % 10) + n % 10 for n in range(10_000)
}


def _check_digit_holds(upc: str) -> bool:
    """``has_valid_check_digit`` for 14 ASCII digits."""
    total = _SUMS[upc[:4]] + _SUMS[upc[4:8]] + _SUMS[upc[8:12]] + 3 * int(upc[12]) + int(upc[13])
    return total % 10 == 0


def read_quantity(
    text: str | None, has_column: bool, errors: list[str], decimal_comma: bool = False
) -> str | None:
    """A line's quantity: a line with only a UPC is one scan, counting one."""
    if text is None or (text == "" and not has_column):
        return "1"
    if len(text) <= 5 and text.isascii() and text.isdigit():
        return str(int(text))  # the usual "12": a whole count under the maximum
    text = text.strip()
    if not text:
        errors.append("the quantity is empty")
        return None
    shown = text  # as written, for the messages
    if "," in text:  # a decimal comma, or one that groups thousands: the file's mark says
        try:
            text = str(parse_number(text, COMMA if decimal_comma else None))
        except NumberError as error:
            errors.append(f"quantity: {error}")
            return None
    if _QUANTITY.match(text):
        quantity = Decimal(text.lstrip("+"))
        if quantity > MAX_QUANTITY:
            errors.append(
                f"quantity {shown} is more than {MAX_QUANTITY:,} on one line, which cannot be a "
                "count (a UPC in the quantity column?)"
            )
            return None
        return (
            str(int(quantity)) if quantity == quantity.to_integral() else str(quantity.normalize())
        )
    if _NEGATIVE.match(text):
        errors.append(f"quantity {shown} is negative: a count is zero or more")
    elif _TOO_PRECISE.match(text):
        errors.append(f"quantity {shown} has more than three decimals")
    elif re.fullmatch(r"[0-9]{10,}", text):
        errors.append(
            f"quantity {shown} is more than {MAX_QUANTITY:,} on one line, which cannot be a "
            "count (a UPC in the quantity column?)"
        )
    else:
        errors.append(f"quantity {shown!r} is not a number")
    return None
