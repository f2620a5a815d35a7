"""A count's inputs: the scanner files uploaded into it and the lines typed in.

Files: each uploaded file (checked as a text file by ``store_upload``) moves into the
batch's folder and is listed in its parameters with its sha256; a file whose content
is already in the count is refused (its name does not matter), as counting it twice
would double every product in it. A file added to a count already read makes it read
again (status ``new``: the caller reads it, or queues the job that does).

Typed lines are kept in the batch's parameters, numbered, so that reading the count
again reads them too; adding, changing or removing one compares that product again
(``compare``), not the whole count, and returns what its row says now (a UPC that is
not in the catalog is said at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from poser.models.orm import Batch, DataSet, InventoryBatchRow, Product, Upload, User
from poser.storage.interface import FileStore
from poser.tasks.batches import get_handler
from poser.tasks.batches.base import MESSAGE_DELETED, MESSAGE_EXECUTED, BatchError, moved_on
from poser.tasks.batches.inventory import compare
from poser.tasks.batches.inventory.handler import typed_record
from poser.tasks.batches.inventory.match import match_chunk
from poser.tasks.bulk import insert_rows
from poser.tasks.sessions import session_of
from poser.utils.timeutil import utcnow

BATCH_TYPE = "inventory"
UNITS = ("units", "cases")
R = InventoryBatchRow


def make_count(
    data_set: DataSet, files: FileStore, parameters: dict[str, Any], user: User | None
) -> Batch:
    """A new count with these options (checked), no file and no line yet."""
    return get_handler(BATCH_TYPE).make(data_set, files, parameters=parameters, user=user)


def _editable(batch: Batch) -> None:
    if batch.batch_type != BATCH_TYPE:
        raise BatchError(f"Batch #{batch.id} is not an inventory count.")
    if batch.status == "executed":
        raise BatchError(MESSAGE_EXECUTED)
    if batch.deleted_at is not None:
        raise BatchError(MESSAGE_DELETED)


def add_file(batch: Batch, files: FileStore, upload: Upload, unit: str = "units") -> None:
    """Add an uploaded scanner file to the count; BatchError (the upload's file removed)
    when its content is already in it or its unit is not one."""
    _editable(batch)
    listed = list(batch.parameters.get("files") or [])
    same = next((f for f in listed if f.get("sha256") == upload.sha256), None)
    problem = None
    if unit not in UNITS:
        problem = f"{upload.filename}: count it in units or in cases."
    elif upload.data_set_id != batch.data_set_id:
        problem = "That file was uploaded to another data set."
    elif same is not None:
        problem = (
            f"{upload.filename} is the same file as {same['name']}, already in this count "
            "(their contents were compared, not their names): it is not counted twice."
        )
    if problem:
        files.remove(upload.key)
        session_of(batch).delete(upload)
        raise BatchError(problem)
    folder = get_handler(BATCH_TYPE).folder(batch)
    key = f"{folder}/{len(listed) + 1}-{upload.filename}"
    files.move(upload.key, key)
    upload.key = key
    listed.append({"key": key, "name": upload.filename, "sha256": upload.sha256, "unit": unit})
    batch.parameters = {**batch.parameters, "files": listed}
    if batch.input_key is None:
        batch.input_key, batch.input_filename = key, upload.filename
        batch.description = batch.description or upload.filename[:255]
    if batch.status == "populated":
        batch.status = "new"  # read again, with the new file
    session_of(batch).flush()


@dataclass
class TypedLine:
    """A typed line as its row says it now: its number, the row's status and message,
    and the product's description when the UPC is known."""

    number: int
    status: str | None
    message: str
    description: str | None


def add_typed_line(
    batch: Batch,
    upc: str,
    quantity: str | Decimal,
    unit: str = "units",
    section: str = "",
) -> TypedLine:
    """Add a typed line to the count and compare its product again."""
    _ready_for_lines(batch)
    typed = list(batch.parameters.get("typed") or [])
    number = max((int(line["number"]) for line in typed), default=0) + 1
    line = _line(number, upc, quantity, unit, section)
    typed.append(line)
    return _changed(batch, typed, line, [])


def edit_typed_line(
    batch: Batch,
    number: int,
    upc: str,
    quantity: str | Decimal,
    unit: str = "units",
    section: str = "",
) -> TypedLine:
    """Change typed line ``number``; both its old and its new product compared again."""
    _ready_for_lines(batch)
    typed = list(batch.parameters.get("typed") or [])
    old = _find(batch, typed, number)
    line = _line(number, upc, quantity, unit, section)
    typed[typed.index(old)] = line
    return _changed(batch, typed, line, [old])


def delete_typed_line(batch: Batch, number: int) -> None:
    """Remove typed line ``number``; its product is compared again."""
    _ready_for_lines(batch)
    typed = list(batch.parameters.get("typed") or [])
    old = _find(batch, typed, number)
    typed.remove(old)
    _changed(batch, typed, None, [old])


def _ready_for_lines(batch: Batch) -> None:
    _editable(batch)
    if batch.status == "new" and batch.parameters.get("files"):
        raise BatchError("The count's files are being read: add typed lines once they are.")


def _find(batch: Batch, typed: list[dict[str, Any]], number: int) -> dict[str, Any]:
    for line in typed:
        if int(line["number"]) == int(number):
            return line
    raise BatchError(f"Batch #{batch.id} has no typed line {number}.")


def _line(number: int, upc: str, quantity: Any, unit: str, section: str) -> dict[str, Any]:
    if unit not in UNITS:
        raise BatchError("Count it in units or in cases.")
    return {
        "number": number,
        "upc": str(upc).strip()[:50],
        "quantity": str(quantity).strip(),
        "unit": unit,
        "section": str(section or "").strip()[:50],
    }


def _changed(
    batch: Batch,
    typed: list[dict[str, Any]],
    line: dict[str, Any] | None,
    old: list[dict[str, Any]],
) -> TypedLine:
    session = session_of(batch)
    session.flush()
    connection = session.connection()
    handler = get_handler(BATCH_TYPE)
    for gone in old:
        connection.execute(
            R.__table__.delete().where(
                R.batch_id == batch.id, R.file_name == "", R.line == int(gone["number"])
            )
        )
    records = [typed_record(batch, line)] if line else []
    match_chunk(connection, batch.data_set_id, records)
    insert_rows(connection, R.__table__, records)
    upcs = {r["upc"] for r in records if r["upc"]}
    upcs |= {typed_record(batch, gone)["upc"] for gone in old} - {None}
    if upcs:
        compare.reset(connection, batch, sorted(upcs))
        compare.compare(connection, batch, sorted(upcs))
    batch.parameters = {**batch.parameters, "typed": typed}
    if batch.status == "new":
        batch.status, batch.populated_at = "populated", utcnow()
    batch.status_counts = handler.count_statuses(batch)
    batch.row_count = sum(batch.status_counts.values())
    if batch.status_counts.get("error") and records and records[0]["status"] == "error":
        batch.acknowledged_at = batch.acknowledged_by_id = None
    moved_on(batch)
    session.flush()
    if line is None:
        return TypedLine(0, None, "", None)
    return typed_line(batch, int(line["number"]))


def typed_line(batch: Batch, number: int) -> TypedLine:
    """What typed line ``number``'s row says now."""
    session = session_of(batch)
    found = session.execute(
        select(R.status, R.message, Product.description)
        .outerjoin(Product, Product.id == R.product_id)
        .where(R.batch_id == batch.id, R.file_name == "", R.line == number)
    ).first()
    if found is None:
        return TypedLine(number, None, "", None)
    return TypedLine(number, found.status, found.message, found.description)
