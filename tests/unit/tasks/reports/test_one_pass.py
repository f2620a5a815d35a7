"""A report's three files come from one pass over its rows: the same files as one pass
per format wrote, whatever the printable page's template reads; the template is the
operator's text and stays in the sandbox."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from markupsafe import escape
from sqlalchemy.orm import Session, sessionmaker

from poser.storage import MemoryFileStore
from poser.tasks import jobs
from poser.tasks.exports import ExportColumn, write_export_files
from poser.tasks.job_kinds import get_kind
from poser.tasks.reports import COLUMN_KINDS, get_report
from poser.tasks.reports import run as report_run
from poser.tasks.reports.printable import cell_text, row_type
from poser.tasks.reports.run import run_report
from tests.jobs_support import RecordingQueue
from tests.unit.tasks.reports.small_store import make_small_store

#: The packaged page's rows as it wrote them with a filter a cell: an operator's copy of
#: that page still works, and writes what the packaged one now does.
PER_CELL = (
    "{%- for row in rows %}\n<tr>{% for value in row %}{% set kind = columns[loop.index0].kind %}"
    '<td{% if kind != "text" %} class="number"{% endif %}>{{ value | cell(kind) }}</td>'
    "{% endfor %}</tr>{%- else %}none{%- endfor %}"
)
ROW_CELLS = "{%- for row in rows %}\n<tr>{{ row.cells }}</tr>{%- else %}none{%- endfor %}"
COST_CHANGES = {"start": "2026-03-01", "end": "2026-03-05"}


def sheet(data: bytes) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [list(row) for row in book.active.iter_rows(values_only=True)]
    finally:
        book.close()


def test_the_files_are_those_one_pass_per_format_wrote(
    dbsession: Session, files: MemoryFileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The files stay in the run's scratch folder, where record_export would take them from.
    monkeypatch.setattr(report_run, "record_export", lambda *args, **kwargs: SimpleNamespace(id=0))
    data_set, _ = make_small_store(dbsession)
    report = get_report("cost_changes")
    values = report.values_from_json(COST_CHANGES)
    files.write("templates/cost-changes.html", PER_CELL.encode())
    run_report(data_set, report, COST_CHANGES, files=files, job_id=1)
    files.write("templates/cost-changes.html", ROW_CELLS.encode())
    run_report(data_set, report, COST_CHANGES, files=files, job_id=2)
    one, two = "exports/cost_changes/job-1", "exports/cost_changes/job-2"
    page = files.read_bytes(f"{one}/cost-changes.html").decode()
    assert page == files.read_bytes(f"{two}/cost-changes.html").decode()
    assert page.count("<tr>") == 3
    assert '<td class="number">18.00</td><td class="number">6</td>' in page
    columns = [ExportColumn(column.key, column.header) for column in report.columns]
    write_export_files(files, "per-format", title=report.title, basename="cost-changes",
                       columns=columns, rows=lambda: report.rows(data_set, values))  # fmt: skip
    assert files.read_bytes(f"{one}/cost-changes.csv") == files.read_bytes(
        "per-format/cost-changes.csv"
    )
    assert sheet(files.read_bytes(f"{one}/cost-changes.xlsx")) == sheet(
        files.read_bytes("per-format/cost-changes.xlsx")
    )
    assert len(sheet(files.read_bytes(f"{one}/cost-changes.xlsx"))) == 4


def run(session_factory: sessionmaker[Session], dbsession: Session, files: MemoryFileStore,
        name: str, values: dict[str, object] | None = None) -> Any:  # fmt: skip
    data_set, rows = make_small_store(dbsession)
    job = jobs.submit(dbsession, RecordingQueue(), get_kind(f"report.{name}"), data_set=data_set,
                      user=rows["alice"], parameters={"values": values or {}})  # fmt: skip
    dbsession.commit()
    status = jobs.run(session_factory, RecordingQueue(), job.id, worker="t",
                      resources={"files": files})  # fmt: skip
    dbsession.expire_all()
    return status, dbsession.get_one(type(job), job.id)


def test_rows_the_template_leaves_unread_are_still_in_the_csv_and_xlsx(
    session_factory: sessionmaker[Session], dbsession: Session, files: MemoryFileStore
) -> None:
    files.write("templates/cost-changes.html", b"{{ title }}: see the workbook")
    status, job = run(session_factory, dbsession, files, "cost_changes", COST_CHANGES)
    assert status == "succeeded"
    assert job.result["rows"] == 3
    folder = f"exports/cost_changes/{job.result['export_id']}"
    assert files.read_bytes(f"{folder}/cost-changes.html") == b"Cost changes: see the workbook"
    assert files.read_bytes(f"{folder}/cost-changes.csv").count(b"\r\n") == 4
    assert len(sheet(files.read_bytes(f"{folder}/cost-changes.xlsx"))) == 4


@pytest.mark.parametrize(
    "reach",
    ["{{ row.__class__.__mro__ }}", "{{ row._cells[0] }}", "{{ rows.gi_frame.f_globals }}",
     "{{ row.cells.__html__() }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}"],
)  # fmt: skip
def test_an_operators_template_cannot_reach_python_internals(
    session_factory: sessionmaker[Session], dbsession: Session, files: MemoryFileStore,
    reach: str
) -> None:  # fmt: skip
    files.write("templates/report.html", f"{{% for row in rows %}}{reach}{{% endfor %}}".encode())
    status, job = run(session_factory, dbsession, files, "inventory_valuation")
    assert status == "failed"
    assert "template report.html failed" in (job.error or "")
    assert files.list("exports/inventory_valuation") == []


def test_the_app_dirs_template_using_the_row_cells_wins_and_is_escaped(
    session_factory: sessionmaker[Session], dbsession: Session, files: MemoryFileStore
) -> None:
    files.write(
        "templates/margin-by-department.html", b"{% for row in rows %}{{ row.cells }}|{% endfor %}"
    )
    status, job = run(session_factory, dbsession, files, "margin_by_department")
    assert status == "succeeded"
    folder = f"exports/margin_by_department/{job.result['export_id']}"
    page = files.read_bytes(f"{folder}/margin-by-department.html").decode()
    assert page.count("|") == 3
    assert "<td>Dairy</td>" in page
    assert "<td>(no department)</td>" in page


VALUES = [None, "", "plain", "<b>&'\"", "=1+2", 0, 3, -1234567, True, False, 0.5, -2.125,
          Decimal("1234.5"), Decimal("1.2500"), Decimal("0.1234"), Decimal("-6.25"),
          Decimal("26.500"), Decimal("0"), Decimal("-0.00005"), Decimal("1E+3"),
          Decimal("12345678.123456"), date(2026, 3, 1),
          datetime(2026, 3, 1, 9, 5, tzinfo=UTC)]  # fmt: skip


@pytest.mark.parametrize("kind", COLUMN_KINDS)
def test_a_rows_cells_show_each_value_as_the_cell_filter_does(kind: str) -> None:
    make = row_type([kind] * len(VALUES))
    row = make(VALUES)
    assert tuple(row) == tuple(VALUES)
    opening = "<td>" if kind == "text" else '<td class="number">'
    expected = "".join(f"{opening}{escape(cell_text(value, kind))}</td>" for value in VALUES)
    assert str(row.cells) == expected
    assert "<b>" not in row.cells


def test_the_bar_counts_the_rows_written(
    dbsession: Session, files: MemoryFileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_run, "PROGRESS_EVERY", 1)
    data_set, _ = make_small_store(dbsession)
    updates: list[tuple[float, float | None]] = []

    class Recorded:
        def update(
            self, done: float, total: float | None = None, message: str | None = None
        ) -> None:
            updates.append((done, total))

        def log(self, line: str) -> None:
            pass

    result = run_report(data_set, get_report("cost_changes"), COST_CHANGES, files=files,
                        job_id=1, progress=Recorded())  # fmt: skip
    assert result["rows"] == 3
    assert updates == [(1, None), (2, None), (3, None), (3, 3)]
