"""A count's inputs: the scanner files uploaded into it and the lines typed in.

Files: each uploaded file (checked as a text file by ``store_upload``) moves into the
batch's folder and is listed in its parameters with its sha256; a file whose content
is already in the count is refused (its name does not matter), as counting it twice
would double every product in it. A file added to a count already read makes it read
again (status ``new``: the caller reads it, or queues the job that does).

Typed lines are kept in the batch's parameters, numbered, so that reading the count
again reads them too; adding, changing or removing one compares that product again
(``compare``), not the whole count, and returns what its row says now (a UPC that is
not in the catalog is said at once). With ``refuse_errors`` a line that would be in
error (not a UPC, not a quantity, not in the catalog, a fraction of a product sold by
the unit) is refused before anything is written: what a typist wants told at once.

The pages add to a count while it is open (``is_open``): the first file or line makes
it, later ones go into it until it is applied. ``check_file`` reads a file's first
lines before it goes in, so a file that is not a count (empty, binary, a catalog) is
refused while the operator waits instead of failing the count's reading; a file
already read into an earlier count of the data set is the caller's to warn about
(``earlier_count``). Applying a count with rows flagged for recount takes a
confirmation carrying how many (``check_confirmed``), as a catalog's does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from sqlalchemy import String, cast, select

from poser.models.orm import Batch, DataSet, InventoryBatchRow, Product, Upload, User
from poser.storage.interface import FileStore
from poser.tasks.batches import get_handler
from poser.tasks.batches.base import MESSAGE_DELETED, MESSAGE_EXECUTED, BatchError, moved_on
from poser.tasks.batches.inventory import compare
from poser.tasks.batches.inventory.handler import typed_record
from poser.tasks.batches.inventory.match import match_chunk
from poser.tasks.batches.inventory.reader import read_count_file
from poser.tasks.bulk import insert_rows
from poser.tasks.sessions import session_of
from poser.utils.timeutil import utcnow

BATCH_TYPE = "inventory"
UNITS = ("units", "cases")
R = InventoryBatchRow
#: The form field that confirms applying the rows flagged for recount: it holds how many.
CONFIRM_FIELD = "apply_flagged"
#: How a refused typed line's message starts.
NOT_COUNTED = "Not counted."
#: Chunks of a file read before it goes into a count (two: a small file to its end).
CHECKED_CHUNKS = 2


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


def add_file(
    batch: Batch, files: FileStore, upload: Upload, unit: str = "units", recount: bool = False
) -> None:
    """Add an uploaded scanner file to the count; BatchError (the upload's file removed)
    when its content is already in it or its unit is not one. A ``recount`` file counts
    its products again: their lines elsewhere in the count no longer count."""
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
    entry = {"key": key, "name": upload.filename, "sha256": upload.sha256, "unit": unit}
    listed.append({**entry, "recount": True} if recount else entry)
    batch.parameters = {**batch.parameters, "files": listed}
    if batch.input_key is None:
        batch.input_key, batch.input_filename = key, upload.filename
        batch.description = batch.description or upload.filename[:255]
    if batch.status in ("populated", "failed"):
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
    *,
    refuse_errors: bool = False,
) -> TypedLine:
    """Add a typed line to the count and compare its product again."""
    _ready_for_lines(batch)
    typed = list(batch.parameters.get("typed") or [])
    number = max((int(line["number"]) for line in typed), default=0) + 1
    line = _line(number, upc, quantity, unit, section)
    if refuse_errors:
        _refuse_error(batch, line)
    typed.append(line)
    return _changed(batch, typed, line, [])


def edit_typed_line(
    batch: Batch,
    number: int,
    upc: str,
    quantity: str | Decimal,
    unit: str = "units",
    section: str = "",
    *,
    refuse_errors: bool = False,
) -> TypedLine:
    """Change typed line ``number``; both its old and its new product compared again."""
    _ready_for_lines(batch)
    typed = list(batch.parameters.get("typed") or [])
    old = _find(batch, typed, number)
    line = _line(number, upc, quantity, unit, section)
    if refuse_errors:
        _refuse_error(batch, line)
    typed[typed.index(old)] = line
    return _changed(batch, typed, line, [old])


def _refuse_error(batch: Batch, line: dict[str, Any]) -> None:
    """BatchError, nothing written, when ``line`` would be a row in error."""
    record = typed_record(batch, line)
    match_chunk(session_of(batch).connection(), batch.data_set_id, [record])
    if record["status"] == "error":
        message = record["message"] or "it cannot be counted"
        raise BatchError(f"{NOT_COUNTED} {message[:1].upper()}{message[1:]}.")


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


# -- what the pages add to a count ------------------------------------------------------


def is_open(batch: Batch | None) -> bool:
    """Whether files and typed lines still go into ``batch``: a count not applied, not
    deleted, not a revert (whose rows are the applied count's)."""
    return (
        batch is not None
        and batch.batch_type == BATCH_TYPE
        and batch.status in ("new", "populated", "failed")
        and batch.deleted_at is None
        and batch.reverts_batch_id is None
    )


def check_file(batch: Batch, files: FileStore, upload: Upload, unit: str = "units") -> None:
    """Read the upload's first lines as the count will: BatchError (the upload's file
    removed) when it is not a count (empty, binary, a catalog, a header without a UPC;
    a small file with no line that reads as one)."""
    try:
        with files.open(upload.key) as stream:
            reading = read_count_file(stream, upload.filename, unit, batch.id, batch.data_set_id)
            try:
                for _ in islice(reading, CHECKED_CHUNKS):
                    pass
            finally:
                reading.close()
    except BatchError:
        files.remove(upload.key)
        session_of(batch).delete(upload)
        raise


def earlier_count(batch: Batch, sha256: str) -> Batch | None:
    """The newest other count of the data set (not deleted) that read a file with this
    content."""
    return session_of(batch).scalar(
        select(Batch)
        .where(
            Batch.data_set_id == batch.data_set_id,
            Batch.batch_type == BATCH_TYPE,
            Batch.deleted_at.is_(None),
            Batch.id != batch.id,
            cast(Batch.parameters, String).contains(sha256),
        )
        .order_by(Batch.id.desc())
        .limit(1)
    )


def earlier_count_message(name: str, earlier: Batch) -> str:
    """The warning for a file an earlier count read too."""
    applied = "applied" if earlier.status == "executed" else "not applied"
    return (
        f"{name} is the same file as one read into batch #{earlier.id} ({applied}), an "
        "earlier count: it is counted in this one too. If it should not be, delete this "
        "count from All batches and count again."
    )


def check_confirmed(batch: Batch, posted: Mapping[str, Any]) -> None:
    """Refuse an apply of a count with rows flagged for recount still in it unless the
    form confirms that many (what the Apply step showed): another count means the rows
    changed since the page was shown."""
    handler = get_handler(BATCH_TYPE)
    if batch.batch_type != BATCH_TYPE or handler.why_not_executable(batch):
        return  # not ready to apply: the apply says why first
    waiting = handler.flagged_included(batch)
    if not waiting or str(posted.get(CONFIRM_FIELD) or "") == str(waiting):
        return
    rows = "1 row flagged" if waiting == 1 else f"{waiting:,} rows flagged"
    raise BatchError(
        f"Batch #{batch.id} would apply {rows} for recount, so nothing was applied: "
        "recount them (or leave them out on the Review step), and tick the box that "
        "confirms the rest."
    )
