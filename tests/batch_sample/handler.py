"""The tally batch type's handler: populate reads ``code,quantity`` lines (a header
line is optional) into rows, each "counted" or an "error" with its message; execute
adds the counted quantities to the data set's tallies, in the job's transaction."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select

from poser.models.orm import Batch, User
from poser.storage.interface import FileStore
from poser.tasks.batches import BatchError, register_batch_type
from poser.tasks.batches.base import BatchHandler
from poser.tasks.product_history import ChangeSource
from poser.tasks.sessions import session_of
from poser.utils.progress import Progress
from tests.batch_sample.tables import Tally, TallyRow


def _row(batch: Batch, line: int, cells: list[str]) -> TallyRow:
    code = cells[0].strip() if cells else ""
    text = cells[1].strip() if len(cells) > 1 else ""
    row = TallyRow(data_set_id=batch.data_set_id, batch_id=batch.id, line=line, code=code)
    if not code:
        row.status, row.message = "error", "No code."
    elif not text.isdigit():
        row.status, row.message = "error", f"The quantity {text!r} is not a whole number."
    else:
        row.status, row.quantity = "counted", int(text)
    return row


@register_batch_type
class TallyHandler(BatchHandler):
    batch_type = "tally"
    title = "Tally"
    data_sets_of = "products"
    row_class = TallyRow

    def populate_rows(self, batch: Batch, files: FileStore, progress: Progress) -> dict[str, int]:
        text = files.read_bytes(batch.input_key or "").decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(text)))
        header = bool(lines and lines[0] and lines[0][0].strip().lower() == "code")
        rows = [
            _row(batch, number, cells)
            for number, cells in enumerate(lines, 1)
            if cells and not (header and number == 1)
        ]
        if not rows:
            raise BatchError(f"{batch.input_filename} has no lines to tally.")
        session_of(batch).add_all(rows)
        session_of(batch).flush()
        return self.count_statuses(batch)

    def refresh_row(self, batch: Batch, row_id: int) -> None:
        """A row is compared with nothing: there is nothing to refresh."""

    def execute_rows(
        self, batch: Batch, user: User | None, progress: Progress, source: ChangeSource
    ) -> dict[str, Any]:
        session = session_of(batch)
        counted = session.scalars(
            select(TallyRow).where(TallyRow.batch_id == batch.id, TallyRow.status == "counted")
        ).all()
        for row in counted:
            tally = session.scalar(
                select(Tally).where(Tally.data_set_id == batch.data_set_id, Tally.code == row.code)
            )
            if tally is None:
                session.add(Tally(data_set_id=batch.data_set_id, code=row.code, quantity=0))
                session.flush()
                tally = session.scalar(
                    select(Tally).where(
                        Tally.data_set_id == batch.data_set_id, Tally.code == row.code
                    )
                )
            tally.quantity += row.quantity or 0
        return {"rows_applied": len(counted), "units": sum(row.quantity or 0 for row in counted)}
