"""A handheld scanner's export read into row records, a chunk at a time.

The shapes scanners write, with or without a header row: ``UPC,qty`` (or separated by
a semicolon, a tab or spaces: ``UPC qty``), ``UPC`` alone (one line per scan, each
counting one), and a third column for the section or aisle. A header may name the
columns (UPC or Barcode; Qty, Quantity, Count or Cases; Section, Aisle or Location;
Unit, each or case per line).

What is refused, and where:

- the whole file (a BatchError naming it): empty, binary (a spreadsheet, an image),
  a vendor catalog (a header with costs, prices or descriptions, or more than three
  columns), a header without a UPC column, or not one line that reads as a count;
- one line (status "error" and a message, the rest of the file still read): a UPC
  that is not one, a quantity that is not a number, negative, with more than three
  decimals, or more than ``MAX_QUANTITY`` (a UPC in the quantity column), an unknown
  unit. Whether a fraction may be counted is the product's to say, so it is checked
  when the rows are compared (``compare``).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, BinaryIO

from poser.tasks.batches.base import BatchError
from poser.tasks.batches.catalog.rows import STORE_CODE_DIGITS
from poser.utils.upc import GTIN_LENGTH, UpcError, has_valid_check_digit, normalize_upc

CHUNK_ROWS = 5_000
#: More than this on one line is not a count but a typo (a UPC in the quantity column).
MAX_QUANTITY = Decimal(100_000)
SNIFF_BYTES = 64 * 1024
_QUANTITY = re.compile(r"\+?[0-9]{1,9}(?:\.[0-9]{0,3})?\Z")
_NEGATIVE = re.compile(r"-\s*[0-9]+(?:\.[0-9]*)?\Z")
_TOO_PRECISE = re.compile(r"[0-9]+\.[0-9]{4,}\Z")

UPC_HEADERS = {"upc", "barcode", "bar code", "gtin", "ean", "upc code", "code", "scan", "sku"}
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


def check_start(head: bytes, name: str) -> None:
    """Refuse a file whose first bytes are not a count's text: empty or binary."""
    if not head.strip():
        raise BatchError(f"{name} is empty: there is nothing to count.")
    if b"\0" in head or head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise BatchError(
            f"{name} is not a text file (a spreadsheet or another binary file?): export the "
            "count from the scanner as CSV or text."
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
    head = stream.read(SNIFF_BYTES)
    check_start(head, name)
    lines = enumerate(_text_lines(head, stream), start=1)
    number, first = next(((n, text) for n, text in lines if text.strip()), (0, ""))
    split = _splitter(first)
    fields = split(first)
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
        record = read_line(split(text), columns, file_unit, name, number, batch_id, data_set_id)
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


def _text_lines(head: bytes, stream: BinaryIO) -> Iterator[str]:
    """The file's lines as text (UTF-8, a BOM dropped; a byte that is not UTF-8 is read
    as Windows-1252 would, as older scanners write), without their line ends."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    try:
        decoder.decode(head[: len(head) - 4] if len(head) == SNIFF_BYTES else head)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp1252"
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    rest = ""
    block = head
    while block:
        text = rest + decoder.decode(block)
        parts = text.splitlines()
        rest = parts.pop() if parts and not text.endswith(("\n", "\r")) else ""
        yield from parts
        block = stream.read(SNIFF_BYTES)
    rest += decoder.decode(b"", final=True)
    if rest:
        yield rest


def _splitter(line: str) -> Any:
    """How the file's fields are separated, from its first line. A line without a
    quote is split as the csv module would split it, without its per-line cost."""
    for delimiter in (",", "\t", ";"):
        if delimiter in line:
            return lambda text, d=delimiter: [
                f.strip()
                for f in (
                    text.split(d) if '"' not in text else next(csv.reader([text], delimiter=d), [])
                )
            ]
    return lambda text: text.split()


def _columns_of_header(fields: list[str], name: str) -> dict[str, int] | None:
    """The columns a header row names; None when the line is not a header (its first
    field is a code: digits)."""
    if not fields or _looks_like_code(fields[0]):
        return None
    names = [field.strip().strip('"').lower() for field in fields]
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
) -> dict[str, Any]:
    """One line's record; status "error" and a message when it cannot be counted.
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
    )
    index = columns.get("section")
    section = fields[index][:50] if index is not None and index < count else ""
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
            errors.append(f"UPC {text.lstrip('0')}: the check digit is wrong")
            return None
        return upc
    try:
        upc = normalize_upc(text)
    except UpcError as error:
        errors.append(f"UPC: {error}")
        return None
    if len(upc.lstrip("0")) > STORE_CODE_DIGITS and not has_valid_check_digit(upc):
        errors.append(f"UPC {upc.lstrip('0')}: the check digit is wrong")
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


def read_quantity(text: str | None, has_column: bool, errors: list[str]) -> str | None:
    """A line's quantity: a line with only a UPC is one scan, counting one."""
    if text is None or (text == "" and not has_column):
        return "1"
    if len(text) <= 5 and text.isascii() and text.isdigit():
        return str(int(text))  # the usual "12": a whole count under the maximum
    text = text.strip()
    if not text:
        errors.append("the quantity is empty")
        return None
    if _QUANTITY.match(text):
        quantity = Decimal(text.lstrip("+"))
        if quantity > MAX_QUANTITY:
            errors.append(
                f"quantity {text} is more than {MAX_QUANTITY:,} on one line, which cannot be a "
                "count (a UPC in the quantity column?)"
            )
            return None
        return str(int(quantity)) if quantity == quantity.to_integral() else str(quantity)
    if _NEGATIVE.match(text):
        errors.append(f"quantity {text} is negative: a count is zero or more")
    elif _TOO_PRECISE.match(text):
        errors.append(f"quantity {text} has more than three decimals")
    elif re.fullmatch(r"[0-9]{10,}", text):
        errors.append(
            f"quantity {text} is more than {MAX_QUANTITY:,} on one line, which cannot be a "
            "count (a UPC in the quantity column?)"
        )
    else:
        errors.append(f"quantity {text!r} is not a number")
    return None
