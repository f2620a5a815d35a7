"""Inventory count batches: scanner files and typed lines compared with on-hand.

Options (the batch's parameters, checked by ``check_parameters``):

- ``mode``: ``replace`` (counted products take the count), ``adjust`` (the count is
  added to on-hand: a delivery), ``zero_rest`` (counted products take the count, and
  the products of the counted departments no line counted go to zero; never a
  product outside them), ``variance_only`` (review only: its apply is refused).
- ``departments``: the department numbers being counted (``department_ids`` as
  stored); needed by ``zero_rest``; with any mode, a counted product outside them is
  flagged.
- ``threshold_units``, ``threshold_percent``, ``threshold_money``: a row whose
  variance is past one (in units, in percent of on-hand, in value at cost, else at
  retail) is flagged for recount. None: not checked.

The count's inputs are kept with the batch: ``files`` (each stored file's key, name,
sha256 and unit) and ``typed`` (the lines typed in, numbered). Reading the count
again (populate) reads all of them, so it compares with on-hand as it is then.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from poser.models.orm import (
    Batch,
    BatchExecution,
    DataSet,
    Department,
    Export,
    InventoryBatchRow,
    User,
)
from poser.storage.interface import FileStore
from poser.tasks.batches import register_batch_type
from poser.tasks.batches.base import MESSAGE_DELETED, MESSAGE_EXECUTED, BatchError, BatchHandler
from poser.tasks.batches.inventory import compare
from poser.tasks.batches.inventory import execute as apply
from poser.tasks.batches.inventory.load import loading
from poser.tasks.batches.inventory.reader import read_count_file, read_line
from poser.tasks.batches.inventory.report import write_count_report
from poser.tasks.bulk import bulk_load, refresh_statistics, vacuum_after_commit
from poser.tasks.product_history import ChangeSource
from poser.tasks.products_data import KIND as PRODUCTS
from poser.tasks.sessions import session_of
from poser.utils.labels import INVENTORY_ROW_STATUSES, key_words
from poser.utils.progress import NullProgress, Progress
from poser.utils.timeutil import utcnow

R = InventoryBatchRow
MODES = ("replace", "adjust", "zero_rest", "variance_only")
MODE_WORDS = {
    "replace": "Replace on-hand with the count",
    "adjust": "Add the count to on-hand",
    "zero_rest": "Replace, and zero the rest of the counted departments",
    "variance_only": "Variance only (nothing applied)",
}
#: A row's status in operators' words (poser.utils.labels: the CLI's table, the pages').
STATUS_WORDS = INVENTORY_ROW_STATUSES
THRESHOLDS = {
    "threshold_units": "Recount threshold in units",
    "threshold_percent": "Recount threshold in percent",
    "threshold_money": "Recount threshold in value",
}
#: Typed lines are read as a file of these columns.
TYPED_COLUMNS = {"upc": 0, "quantity": 1, "section": 2}
LINES_NAMED = 5


@register_batch_type
class InventoryHandler(BatchHandler):
    batch_type = "inventory"
    title = "Inventory count"
    data_sets_of = PRODUCTS
    row_class = InventoryBatchRow

    def check_parameters(
        self, session: Session, data_set: DataSet, parameters: dict[str, Any]
    ) -> dict[str, Any]:
        mode = parameters.get("mode", "replace")
        if mode not in MODES:
            raise BatchError(f"Mode: choose one of {', '.join(MODE_WORDS.values())}.")
        numbers = _department_numbers(parameters.get("departments") or [])
        found = dict(
            session.execute(
                select(Department.number, Department.id).where(
                    Department.data_set_id == data_set.id, Department.number.in_(numbers)
                )
            ).all()
        )
        missing = [str(number) for number in numbers if number not in found]
        if missing:
            raise BatchError(f"Departments: there is no department {', '.join(missing)}.")
        if mode == "zero_rest" and not numbers:
            raise BatchError(
                "Zero the rest needs the departments being counted: only their products "
                "that were not counted go to zero."
            )
        checked = {
            "mode": mode,
            "departments": numbers,
            "department_ids": [found[number] for number in numbers],
            "files": list(parameters.get("files") or []),
            "typed": list(parameters.get("typed") or []),
        }
        for key, label in THRESHOLDS.items():
            checked[key] = _threshold(parameters.get(key), label)
        return checked

    # -- populate ---------------------------------------------------------------------

    def populate(
        self, batch: Batch, files: FileStore, progress: Progress | None = None
    ) -> dict[str, int]:
        """Read every file and typed line of the count into rows, compared with on-hand
        as it is now, replacing the rows of an earlier reading."""
        if batch.status == "executed":
            raise BatchError(MESSAGE_EXECUTED)
        if batch.deleted_at is not None:
            raise BatchError(MESSAGE_DELETED)
        parameters = batch.parameters
        if not parameters.get("files") and not parameters.get("typed"):
            raise BatchError("This count has no file and no typed line yet.")
        session = session_of(batch)
        session.execute(delete(R).where(R.batch_id == batch.id))
        counts = self.populate_rows(batch, files, progress or NullProgress())
        # The review's counts read the rows' index alone once they are all-visible.
        vacuum_after_commit(session, R.__table__)
        batch.status, batch.error = "populated", None
        batch.populated_at = utcnow()
        batch.acknowledged_at = batch.acknowledged_by_id = None
        batch.status_counts = counts
        batch.row_count = sum(counts.values())
        return counts

    def populate_rows(self, batch: Batch, files: FileStore, progress: Progress) -> dict[str, int]:
        session = session_of(batch)
        connection = session.connection()
        read = 0
        with bulk_load(connection):
            with loading(connection, batch) as loader:  # the rows are in at its end
                for stored in batch.parameters.get("files") or []:
                    with files.open(stored["key"]) as stream:
                        for chunk in read_count_file(
                            stream,
                            stored["name"],
                            stored.get("unit", "units"),
                            batch.id,
                            batch.data_set_id,
                        ):
                            loader.insert(chunk)
                            read += len(chunk)
                            progress.update(read, None, f"{read:,} lines read")
                typed = [typed_record(batch, line) for line in batch.parameters.get("typed") or []]
                loader.insert(typed)
            refresh_statistics(connection, R.__table__)
            compare.after_load(connection, batch)
        progress.log(f"{read + len(typed):,} lines read")
        return self.count_statuses(batch)

    def refresh_row(self, batch: Batch, row_id: int) -> None:
        """Compare one row's product again with on-hand."""
        session = session_of(batch)
        row = session.get(R, row_id)
        if row is None or row.batch_id != batch.id or row.upc is None:
            return
        session.flush()
        connection = session.connection()
        compare.reset(connection, batch, [row.upc])
        compare.compare(connection, batch, [row.upc])
        session.flush()
        session.expire_all()
        batch.status_counts = self.count_statuses(batch)
        batch.row_count = sum(batch.status_counts.values())

    def flagged_included(self, batch: Batch) -> int:
        """Rows flagged for recount that the apply would still apply."""
        return (
            session_of(batch).scalar(
                select(func.count()).where(
                    R.batch_id == batch.id,
                    R.flagged.is_(True),
                    R.excluded.is_(False),
                    R.status.in_(compare.APPLIED),
                )
            )
            or 0
        )

    # -- execute ----------------------------------------------------------------------

    def why_not_executable(self, batch: Batch) -> list[str]:
        reasons = super().why_not_executable(batch)
        if batch.parameters.get("mode") == "variance_only" and batch.status != "executed":
            reasons.append(
                "This count is for its variances only (mode: Variance only): nothing is "
                "applied. To set on-hand, count again in another mode."
            )
        return reasons

    def execute(
        self,
        batch: Batch,
        user: User | None,
        progress: Progress | None = None,
        via: ChangeSource | None = None,
    ) -> dict[str, Any]:
        """Apply the count as it was reviewed, or nothing: a count whose products' on-hand
        moved since it was read is refused, naming the rows (the catalog's rule: applying
        it would set on-hand from a comparison nobody reviewed)."""
        session = session_of(batch)
        if not self.why_not_executable(batch):
            moved = session.execute(compare.moved_rows(batch).order_by(R.id)).all()
            if moved and session.get(BatchExecution, batch.id) is not None:
                raise BatchError(MESSAGE_EXECUTED)
            if moved:
                raise BatchError(moved_message(batch, moved))
        return super().execute(batch, user, progress, via)

    def write_report(
        self, batch: Batch, files: FileStore, user: User | None, progress: Progress
    ) -> Export:
        return write_count_report(batch, files, user, progress, f"{self.folder(batch)}/report")

    def execute_rows(
        self, batch: Batch, user: User | None, progress: Progress, source: ChangeSource
    ) -> dict[str, Any]:
        session = session_of(batch)
        history = apply.record_on_hand_changes(session, batch, source, utcnow())
        changed = apply.set_on_hand(session, batch)
        counts = batch.status_counts
        excluded = dict(
            session.execute(
                select(R.status, func.count())
                .where(R.batch_id == batch.id, R.excluded.is_(True))
                .group_by(R.status)
            ).all()
        )
        summary = {
            "on_hand_set": changed,
            "zeroed": counts.get("not_counted", 0) - excluded.get("not_counted", 0),
            "unchanged": counts.get("unchanged", 0),
            "lines_merged": counts.get("merged", 0),
            "errors_skipped": counts.get("error", 0),
            "rows_excluded": sum(excluded.values()),
            "history_rows": history,
        }
        progress.log(
            "Applied: " + "; ".join(f"{key_words(key)} {value:,}" for key, value in summary.items())
        )
        return summary


def typed_record(batch: Batch, line: dict[str, Any]) -> dict[str, Any]:
    """The row record of a typed line (file name "", its number as the line)."""
    fields = [str(line.get("upc", "")), str(line.get("quantity", "")), line.get("section", "")]
    return read_line(
        fields,
        TYPED_COLUMNS,
        line.get("unit", "units"),
        "",
        int(line["number"]),
        batch.id,
        batch.data_set_id,
    )


def moved_message(batch: Batch, moved: list[Any]) -> str:
    named = [
        f"line {row.line} of {row.file_name}"
        if row.file_name
        else (f"typed line {row.line}" if row.line else "a product not counted")
        for row in moved[:LINES_NAMED]
    ]
    if len(moved) > LINES_NAMED:
        named.append(f"{len(moved) - LINES_NAMED:,} more")
    rows = "1 row" if len(moved) == 1 else f"{len(moved):,} rows"
    return (
        f"On-hand moved since batch #{batch.id} was counted, for {rows} ({'; '.join(named)}): "
        "another batch was applied, or on-hand was edited. Nothing was applied. Read the "
        "count again (it compares with on-hand as it is now) and review it, or leave those "
        "rows out."
    )


def _department_numbers(value: Any) -> list[int]:
    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").split() if part]
    numbers = []
    for item in value:
        try:
            numbers.append(int(item))
        except (TypeError, ValueError):
            raise BatchError(f"Departments: {item!r} is not a department number.") from None
    return sorted(set(numbers))


def _threshold(value: Any, label: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise BatchError(f"{label}: {value!r} is not a number.") from None
    if not number.is_finite() or number < 0 or number > 1_000_000_000:
        raise BatchError(f"{label}: give a number from 0 up.")
    return str(number)
