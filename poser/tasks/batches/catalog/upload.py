"""A catalog batch made from an uploaded file: what the Upload step and `poser catalog
import` share. The options are checked before the file is stored (a refused vendor
leaves no file behind), then the batch is made with them, the file's sha256 digest
(so that the same file uploaded again is recognised), and the vendor's remembered
column mapping when none is given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from poser.models.data_extraction.batch_list import same_file_batch
from poser.models.orm import Batch, DataSet, Upload, User, Vendor
from poser.storage.interface import FileStore
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.batches.jobs import start_batch
from poser.tasks.jobs import JobQueue
from poser.tasks.sessions import session_of

BATCH_TYPE = "catalog"
#: The parameter that keeps the digest of the batch's file.
DIGEST = "sha256"


@dataclass
class Made:
    """The batch made, and the earlier batch whose file was the same, if any."""

    batch: Batch
    same_file_as: Batch | None


def find_vendor(data_set: DataSet, code: str) -> Vendor:
    """The data set's vendor of this code. Codes are typed in upper case in the app, so a
    code in other letters means the vendor spelled that way when it is the only one;
    BatchError, naming the vendors there are, otherwise."""
    session = session_of(data_set)
    in_data_set = select(Vendor).where(Vendor.data_set_id == data_set.id)
    vendor = session.scalar(in_data_set.where(Vendor.code == code))
    if vendor is None and code:
        alike = session.scalars(in_data_set.where(func.upper(Vendor.code) == code.upper())).all()
        vendor = alike[0] if len(alike) == 1 else None
    if vendor is None:
        if not code:
            raise BatchError("Choose the vendor whose catalog this is.")
        codes = session.scalars(in_data_set.with_only_columns(Vendor.code).order_by(Vendor.code))
        known = ", ".join(list(codes)[:20]) or "none"
        raise BatchError(
            f"There is no vendor {code!r} in data set {data_set.id} {data_set.name!r} "
            f"(vendors: {known})."
        )
    return vendor


def catalog_parameters(
    data_set: DataSet,
    *,
    vendor_code: str,
    tolerance: Decimal | str = "10",
    new_items: str = "skip",
    effective_date: date | str | None = None,
    mapping: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """A catalog batch's parameters from options as a form or the command line gives
    them, checked as the batch will check them; BatchError for the operator otherwise.
    Without a ``mapping``, the vendor's remembered one (its last upload's) is used."""
    vendor = find_vendor(data_set, vendor_code)
    if isinstance(effective_date, date):
        effective_date = effective_date.isoformat()
    parameters = {
        "vendor_id": vendor.id,
        "tolerance_percent": str(tolerance),
        "new_items": new_items,
        "effective_date": effective_date or None,
        "mapping": dict(mapping or vendor.column_mapping or {}),
    }
    handler = get_handler(BATCH_TYPE)
    return handler.check_parameters(session_of(data_set), data_set, parameters)


def make_catalog_batch(
    data_set: DataSet,
    files: FileStore,
    upload: Upload,
    parameters: dict[str, Any],
    user: User | None,
    queue: JobQueue | None = None,
) -> Made:
    """The batch of ``upload`` (its file moves into the batch) with ``parameters``
    (from `catalog_parameters`); with a ``queue``, the job that reads it is queued after
    commit (the command line reads it itself)."""
    if queue is not None:
        batch = start_batch(
            data_set, files, queue, BATCH_TYPE, upload=upload, parameters=parameters, user=user
        )
    else:
        batch = get_handler(BATCH_TYPE).make(
            data_set, files, upload=upload, parameters=parameters, user=user
        )
    batch.parameters = {**batch.parameters, DIGEST: upload.sha256}
    session_of(data_set).flush()
    earlier = same_file_batch(
        session_of(data_set), data_set.id, BATCH_TYPE, upload.sha256, before=batch.id
    )
    return Made(batch, earlier)


def same_file_message(made: Made) -> str | None:
    """What the operator is told when the file was uploaded before; None otherwise."""
    earlier = made.same_file_as
    if earlier is None:
        return None
    when = earlier.created_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"This file is the same as the file of batch #{earlier.id} ({earlier.input_filename}, "
        f"uploaded {when}): look at that batch before applying this one."
    )
