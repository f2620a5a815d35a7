"""Vendor catalog batches: a vendor's price list compared with the data set's costs.

Options (the batch's parameters): ``vendor_id``; ``tolerance_percent``, beyond which a
cost change is flagged; ``new_items``, "add" or "skip"; ``effective_date``; and
``mapping``, the vendor's own header names (header -> column, None to ignore one).
Populate adds ``read_from``: the sheet and line where the file's rows start.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from poser.models.orm import (
    Batch,
    BatchExecution,
    CatalogBatchRow,
    DataSet,
    Export,
    User,
    Vendor,
)
from poser.storage.interface import FileStore
from poser.tasks.batches import register_batch_type
from poser.tasks.batches.base import MESSAGE_EXECUTED, BatchError, BatchHandler, moved_on
from poser.tasks.batches.catalog import compare, revert, review
from poser.tasks.batches.catalog import execute as apply
from poser.tasks.batches.catalog.reader import read_chunks
from poser.tasks.batches.catalog.report import write_change_report
from poser.tasks.batches.catalog.rows import driver_ready
from poser.tasks.bulk import bulk_load, insert_rows, refresh_statistics
from poser.tasks.product_history import ChangeSource
from poser.tasks.products_data import KIND as PRODUCTS
from poser.tasks.sessions import session_of
from poser.utils.labels import key_words
from poser.utils.progress import Progress
from poser.utils.tabular import CATALOG_COLUMNS, Columns, TabularError
from poser.utils.timeutil import utcnow

#: What comparing a row fills in, besides its status.
_COMPARED = (
    "product_id",
    "old_vendor_item_code",
    "old_case_size",
    "old_case_cost",
    "old_unit_cost",
    "cost_change",
    "cost_change_percent",
)
NEW_ITEMS = ("add", "skip")
#: The rows whose apply changes a cost the vendor has.
UPDATE_COSTS = ("cost_up", "cost_down", "case_size_change")
DEFAULT_TOLERANCE = Decimal("10")


@register_batch_type
class CatalogHandler(BatchHandler):
    batch_type = "catalog"
    title = "Vendor catalog"
    data_sets_of = PRODUCTS
    row_class = CatalogBatchRow

    def check_parameters(
        self, session: Session, data_set: DataSet, parameters: dict[str, Any]
    ) -> dict[str, Any]:
        vendor_id = parameters.get("vendor_id")
        vendor = session.get(Vendor, vendor_id) if isinstance(vendor_id, int) else None
        if vendor is None or vendor.data_set_id != data_set.id:
            raise BatchError("Choose the vendor whose catalog this is.")
        tolerance = _tolerance(parameters.get("tolerance_percent", DEFAULT_TOLERANCE))
        new_items = parameters.get("new_items", "skip")
        if new_items not in NEW_ITEMS:
            raise BatchError(f"New items: choose one of {', '.join(NEW_ITEMS)}.")
        effective = parameters.get("effective_date")
        if effective:
            try:
                effective = date.fromisoformat(str(effective)).isoformat()
            except ValueError:
                raise BatchError(f"Effective date: {effective!r} is not a date.") from None
        mapping = dict(parameters.get("mapping") or {})
        self.columns(mapping)  # refuses a mapping to a column that does not exist
        return {
            "vendor_id": vendor.id,
            "vendor_code": vendor.code,
            "tolerance_percent": str(tolerance),
            "new_items": new_items,
            "effective_date": effective or None,
            "mapping": mapping,
        }

    @staticmethod
    def columns(mapping: dict[str, str | None]) -> Columns:
        try:
            return CATALOG_COLUMNS.with_mapping(mapping) if mapping else CATALOG_COLUMNS
        except ValueError as error:
            raise BatchError(f"Column mapping: {error}") from None

    def populate_rows(self, batch: Batch, files: FileStore, progress: Progress) -> dict[str, int]:
        session = session_of(batch)
        connection = session.connection()
        name = batch.input_filename or "the file"
        columns = self.columns(batch.parameters.get("mapping") or {})
        read = 0
        try:
            with (
                files.open(batch.input_key or "") as stream,
                read_chunks(stream, name, columns, batch.id, batch.data_set_id) as rows,
                bulk_load(connection),
            ):
                if not rows.has_rows:
                    raise BatchError(f"{name} has a header row but no rows under it.")
                if not {"case_cost", "unit_cost"} & set(rows.headers):
                    raise BatchError(
                        f"{name} has no cost column: it needs a case cost (e.g. 'Case Cost') "
                        "or a unit cost (e.g. 'Unit Cost'), or a column mapping on the "
                        "Options step."
                    )
                # Which sheet and line the rows start at (titles above the header, a cover
                # sheet first): the batch panel, the job's result and the CLI show it.
                batch.parameters = {**batch.parameters, "read_from": rows.read_from}
                progress.log(rows.read_from)
                for chunk in rows.chunks:
                    self._store(connection, batch, chunk)
                    read += len(chunk)
                    progress.update(read, None, f"{read:,} rows read")
        except TabularError as error:
            raise BatchError(f"{name}: {error}") from None
        # Statistics first: the planner then knows the batch's million new rows.
        refresh_statistics(connection, CatalogBatchRow.__table__)
        duplicates = compare.flag_duplicates(connection, batch)
        progress.log(f"{read:,} rows read; {duplicates:,} with a UPC on more than one line")
        return self.count_statuses(batch)

    def _store(self, connection: Connection, batch: Batch, chunk: list[dict[str, Any]]) -> None:
        """Compare a chunk of rows with the catalog, then insert it."""
        if not chunk:
            return
        parameters = batch.parameters
        vendor_id = parameters["vendor_id"]
        tolerance = _tolerance(parameters["tolerance_percent"])
        readable = [record for record in chunk if record["status"] is None]
        current = compare.current_costs(
            connection, batch.data_set_id, vendor_id, [record["upc"] for record in readable]
        )
        for record in readable:
            compare.decide(record, current.get(record["upc"]), tolerance)
        insert_rows(connection, CatalogBatchRow.__table__, [driver_ready(r) for r in chunk])

    def refresh_row(self, batch: Batch, row_id: int) -> None:
        """Compare one row again with the data set (rows in error stay as read)."""
        session = session_of(batch)
        row = session.get(CatalogBatchRow, row_id)
        if row is None or row.batch_id != batch.id or row.status == "error":
            return
        record: dict[str, Any] = {
            "status": None,
            "flagged": False,
            "message": "",
            "case_size": row.case_size,
            "unit_cost": row.unit_cost,
            "vendor_item_code": row.vendor_item_code,
            **dict.fromkeys(_COMPARED),
        }
        parameters = batch.parameters
        current = compare.current_costs(
            session.connection(), batch.data_set_id, parameters["vendor_id"], [row.upc or ""]
        )
        compare.decide(
            record, current.get(row.upc or ""), _tolerance(parameters["tolerance_percent"])
        )
        for key in ("status", "flagged", "message", *_COMPARED):
            setattr(row, key, record[key])
        session.flush()
        batch.status_counts = self.count_statuses(batch)
        moved_on(batch)  # what applying it would do may have changed, its counts or not

    def execute(
        self,
        batch: Batch,
        user: User | None,
        progress: Progress | None = None,
        via: ChangeSource | None = None,
    ) -> dict[str, Any]:
        """Apply the batch as it was reviewed, or nothing: a batch whose rows the catalog
        no longer bears out is refused. Checked in the apply's transaction before its
        first write, so on SQLite the check's reading keeps no other writer waiting."""
        session = session_of(batch)
        if not self.why_not_executable(batch):  # else the apply says why not
            stale, lines = compare.no_longer_as_read(session.connection(), batch)
            # The batch itself may have been applied since it was loaded (another worker's
            # apply of it): that is what to say then.
            if stale and session.get(BatchExecution, batch.id) is not None:
                raise BatchError(MESSAGE_EXECUTED)
            if stale:
                raise BatchError(_no_longer_as_read(batch, stale, lines))
        return super().execute(batch, user, progress, via)

    def execute_rows(
        self, batch: Batch, user: User | None, progress: Progress, source: ChangeSource
    ) -> dict[str, Any]:
        session = session_of(batch)
        parameters = batch.parameters
        vendor_id = parameters["vendor_id"]
        at = utcnow()
        changed = (*UPDATE_COSTS, "new_cost")
        history = apply.record_cost_changes(session, batch, vendor_id, changed, source, at)
        history += apply.record_item_code_changes(session, batch, vendor_id, source, at)
        updated = apply.update_costs(session, batch, vendor_id)
        new_costs = apply.add_costs(session, batch, vendor_id, "new_cost")
        added = 0
        if parameters.get("new_items") == "add":
            added = apply.add_products(session, batch)
            apply.add_costs(session, batch, vendor_id, "new_item")
            history += apply.record_added(session, batch, source, at)
            history += apply.record_cost_changes(
                session, batch, vendor_id, ("new_item",), source, at
            )
        undone: dict[str, int] = {}
        if batch.reverts_batch_id is not None:  # only a revert's rows have these statuses
            undone["costs_removed"] = revert.remove_costs(session, batch, vendor_id, source, at)
            undone["items_retired"] = revert.retire_items(session, batch, source, at)
            history += sum(undone.values())
        counts = batch.status_counts
        excluded = review.excluded_by_status(batch)
        summary = {
            "costs_updated": updated,
            "new_costs": new_costs,
            "new_items_added": added,
            "new_items_skipped": counts.get("new_item", 0) - added - excluded.get("new_item", 0),
            "errors_skipped": counts.get("error", 0),
            "unchanged": counts.get("unchanged", 0),
            "rows_excluded": sum(excluded.values()),
            "history_rows": history,
        }
        summary.update(undone)
        progress.log(  # the job's log is read by operators: in the words of its page
            "Applied: " + "; ".join(f"{key_words(key)} {value:,}" for key, value in summary.items())
        )
        return summary

    def write_report(
        self, batch: Batch, files: FileStore, user: User | None, progress: Progress
    ) -> Export:
        return write_change_report(batch, files, user, progress, f"{self.folder(batch)}/report")


def _no_longer_as_read(batch: Batch, stale: int, lines: list[int]) -> str:
    """The refusal of a batch the catalog changed under (see compare.no_longer_as_read).

    Refused rather than compared again and applied: the operator reviewed these rows,
    their flags and the rows in error; an apply that compared them again would apply
    changes nobody saw (a cost past the tolerance, a new item that now changes a cost),
    perhaps at night, by the scheduler. Reading the file again shows them first."""
    named = [str(line) for line in lines]
    if stale > len(lines):
        named.append("more")
    where = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    rows = "1 row" if stale == 1 else f"{stale:,} rows"
    compare_as = (
        "compares with the catalog as it" if stale == 1 else "compare with the catalog as they"
    )
    return (
        f"{rows} of batch #{batch.id} ({'line' if len(named) == 1 else 'lines'} {where} of "
        f"its file) no longer {compare_as} did when the file was read: another batch was "
        "applied, or costs were edited, since. Nothing was applied. Upload the file again: "
        "it is read and compared with the catalog as it is now; review it, then apply it."
    )


def _tolerance(value: object) -> Decimal:
    try:
        tolerance = Decimal(str(value))
    except InvalidOperation:
        raise BatchError(f"Tolerance: {value!r} is not a percent.") from None
    if not tolerance.is_finite() or not Decimal(0) <= tolerance <= Decimal(1000):
        raise BatchError("Tolerance: give a percent from 0 to 1000.")
    return tolerance
