"""One vendor catalog line, read into the values of a CatalogBatchRow.

This runs once per line of files of a million lines, so it builds plain dicts for
`bulk.insert_rows` (costs stay Decimals until the row is compared; see `driver_ready`),
takes a short path for the plain text most cells are, and collects every problem of
the line into one message instead of stopping at the first.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from poser.utils.cells import CellError, cell_decimal, cell_int, cell_text
from poser.utils.numbers import COMMA, POINT
from poser.utils.tabular import Row
from poser.utils.upc import (
    GTIN_LENGTH,
    UpcError,
    has_valid_check_digit,
    normalize_upc,
    wrong_check_digit,
)

CHUNK_ROWS = 5_000
#: Beyond these a cost is a typo (a UPC in the cost column, a misplaced point).
MAX_CASE_COST = Decimal("50000")
MAX_UNIT_COST = Decimal("10000")
MAX_CASE_SIZE = 10_000
#: Codes this short are store codes (produce PLUs, scale items): no check digit.
STORE_CODE_DIGITS = 7
_CENT = Decimal("0.01")
_TENTH_CENT = Decimal("0.0001")
# Digits with at most one decimal mark, short enough for the columns, whose meaning the
# file's decimal mark leaves in no doubt: read with Decimal alone. Anything else (a
# thousands separator, a currency, "1,234" when the mark is not known) is read by
# `cell_decimal`, which says when a value is in doubt.
_PLAIN_NUMBER = {
    POINT: re.compile(r"[0-9]{1,8}(?:\.[0-9]{1,6})?\Z"),
    COMMA: re.compile(r"[0-9]{1,8}(?:,[0-9]{1,6})?\Z"),
    None: re.compile(r"[0-9]{1,8}(?:[.,](?:[0-9]{1,2}|[0-9]{4,6}))?\Z"),
}

_TEXT_FIELDS = (
    ("vendor_item_code", "Vendor item code", 50),
    ("description", "Description", 200),
    ("brand", "Brand", 100),
    ("size", "Size", 50),
    ("department", "Department", 100),
)


def read_row(
    row: Row, batch_id: int, data_set_id: int, *, decimal_mark: str | None = POINT
) -> dict[str, Any]:
    """The row's values, with ``status`` "error" and a message when it cannot be used.

    ``decimal_mark`` is the file's (`Table.decimal_mark`; None when it is not known).
    """
    values = row.values
    errors = [error.message for error in row.errors]
    record: dict[str, Any] = {
        "batch_id": batch_id,
        "data_set_id": data_set_id,
        "line": row.line,
        "status": None,
        "flagged": False,
        # Filled in when the row is compared; every row has every key (one INSERT).
        "product_id": None,
        "old_vendor_item_code": None,
        "old_case_size": None,
        "old_case_cost": None,
        "old_unit_cost": None,
        "cost_change": None,
        "cost_change_percent": None,
    }
    raw_upc = values.get("upc")
    record["upc_text"] = "" if raw_upc is None else str(raw_upc).strip()[:50]
    record["upc"] = _upc(raw_upc, errors)
    for key, label, length in _TEXT_FIELDS:
        value = values.get(key)
        if value is None:
            record[key] = ""
        elif value.__class__ is str and len(value) <= length:
            record[key] = value  # the reader has stripped it already
        else:
            try:
                record[key] = cell_text(value, length, required=False)
            except CellError as error:
                record[key] = ""
                errors.append(f"{label}: {error}")
    case_size, case_cost, unit_cost = _costs(values, errors, decimal_mark)
    record["case_size"] = case_size
    # Floats, as the driver takes them: exact for costs of these few digits, and a
    # tenth of the time of Decimals to hand over from the reading process (measured:
    # with Decimals, pickling and unpickling take 1.8 s of a 200,000-row file's 3.7 s).
    record["case_cost"] = None if case_cost is None else float(case_cost)
    record["unit_cost"] = None if unit_cost is None else float(unit_cost)
    if errors:
        record["status"] = "error"
    record["message"] = "; ".join(errors)
    return record


_COMPARED_DECIMALS = ("old_case_cost", "old_unit_cost", "cost_change", "cost_change_percent")


def driver_ready(record: dict[str, Any]) -> dict[str, Any]:
    """The Decimals comparing a row gave as floats: SQLite's driver takes no Decimal,
    and the columns round."""
    if record["old_unit_cost"] is not None:
        for key in _COMPARED_DECIMALS:
            value = record[key]
            if value is not None:
                record[key] = float(value)
    return record


def _upc(value: object, errors: list[str]) -> str | None:
    if (
        value.__class__ is str
        and len(value) <= GTIN_LENGTH
        and value.isascii()
        and value.isdigit()
        and value.strip("0")
    ):
        upc = value.zfill(GTIN_LENGTH)  # the usual plain digits: what normalize_upc gives
    else:
        try:
            upc = normalize_upc(value)
        except UpcError as error:
            errors.append(f"UPC: {error}")
            return None
    digits = len(upc.lstrip("0"))
    if digits > STORE_CODE_DIGITS and not has_valid_check_digit(upc):
        errors.append(wrong_check_digit(value if isinstance(value, str) else upc))
    return upc


def _costs(
    values: dict[str, object], errors: list[str], mark: str | None
) -> tuple[int | None, Decimal | None, Decimal | None]:
    """Case size, case cost and unit cost; a file gives the case cost, the unit cost or
    both, and the missing one is worked out from the case size."""
    case_size: int | None = 1
    raw_size = values.get("case_size")
    if (
        raw_size.__class__ is str
        and len(raw_size) <= 5
        and raw_size.isascii()
        and raw_size.isdigit()
        and 0 < int(raw_size) <= MAX_CASE_SIZE
    ):
        case_size = int(raw_size)  # the usual "12"
    elif raw_size not in (None, ""):
        try:
            case_size = cell_int(raw_size, minimum=1, maximum=MAX_CASE_SIZE, decimal_mark=mark)
        except CellError as error:
            errors.append(f"Case size: {error}")
            case_size = None
    case_cost = _cost(values.get("case_cost"), "Case cost", 2, MAX_CASE_COST, errors, mark)
    unit_cost = _cost(values.get("unit_cost"), "Unit cost", 4, MAX_UNIT_COST, errors, mark)
    if case_cost is None and unit_cost is None:
        if not any(message.startswith(("Case cost", "Unit cost")) for message in errors):
            errors.append("a case cost or a unit cost is needed")
        return case_size, None, None
    if case_size is None:
        return None, case_cost, unit_cost
    if unit_cost is None and case_cost is not None:
        unit_cost = (case_cost / case_size).quantize(_TENTH_CENT, rounding=ROUND_HALF_UP)
    elif case_cost is None and unit_cost is not None:
        case_cost = (unit_cost * case_size).quantize(_CENT, rounding=ROUND_HALF_UP)
        if case_cost > MAX_CASE_COST:
            unit = f"{unit_cost.normalize():f}"
            errors.append(
                f"Case cost: {unit} \u00d7 {case_size} = {case_cost} is more than "
                f"{MAX_CASE_COST}, which cannot be right"
            )
            return case_size, None, unit_cost  # nor would it fit the column
    return case_size, case_cost, unit_cost


_QUANTUM = {2: _CENT, 4: _TENTH_CENT}


def _cost(
    value: object,
    label: str,
    places: int,
    maximum: Decimal,
    errors: list[str],
    mark: str | None,
) -> Decimal | None:
    if value is None:
        return None
    if value.__class__ is str and _PLAIN_NUMBER[mark].match(value):
        # The usual "24.50" (or "24,50" in a file of decimal commas).
        text = value if mark == POINT else value.replace(",", ".")
        cost = Decimal(text).quantize(_QUANTUM[places], rounding=ROUND_HALF_UP)
    else:
        try:
            cost = cell_decimal(value, places=places, digits=12, required=False, decimal_mark=mark)
        except CellError as error:
            errors.append(f"{label}: {error}")
            return None
    if cost is None:
        return None
    if cost == 0:
        errors.append(f"{label}: a cost of zero")
    elif cost > maximum:
        errors.append(f"{label}: {cost} is more than {maximum}, which cannot be right")
        return None  # nor would it fit the column
    return cost


def read_ahead(
    rows: Iterable[Row],
    batch_id: int,
    data_set_id: int,
    size: int = CHUNK_ROWS,
    *,
    decimal_mark: str | None = POINT,
) -> Iterator[list[dict[str, Any]]]:
    """The rows read into chunks of records by a thread of their own, one chunk ahead.

    While the caller's thread inserts a chunk, the database driver works without the
    GIL, and this thread reads the next one: on two cores, a load of a big file takes
    about the time of the slower half instead of the sum. A reader's error (a
    TabularError) is raised in the caller's thread, at the chunk it concerns.
    """
    chunks: queue.Queue[list[dict[str, Any]] | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def read() -> None:
        try:
            chunk: list[dict[str, Any]] = []
            for row in rows:
                chunk.append(read_row(row, batch_id, data_set_id, decimal_mark=decimal_mark))
                if len(chunk) >= size:
                    if not _put(chunks, chunk, stop):
                        return
                    chunk = []
            if chunk:
                _put(chunks, chunk, stop)
            _put(chunks, None, stop)
        except BaseException as error:  # handed over to the caller, raised there
            _put(chunks, error, stop)

    reader = threading.Thread(target=read, name="catalog-reader", daemon=True)
    reader.start()
    try:
        while (item := chunks.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()  # the caller stopped early (an error, a cancelled job): so does the reader
        reader.join()


def _put(chunks: queue.Queue[Any], item: Any, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            chunks.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False
