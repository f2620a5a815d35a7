"""A report's run as a job: its three files under exports/<name>/<id>/, its Export row,
the printable page's template found in the app dir before the package's, and the
parameters the CLI gives."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy.orm import Session, sessionmaker

from poser.models.orm import Export, Job
from poser.storage import MemoryFileStore
from poser.tasks import jobs
from poser.tasks.job_kinds import get_kind
from poser.tasks.reports import all_reports, get_report, parse_cli_values
from poser.tasks.reports.printable import cell_text
from poser.utils.labels import export_type_words
from tests.jobs_support import RecordingQueue
from tests.unit.tasks.reports.small_store import make_small_store


def run(session_factory: sessionmaker[Session], dbsession: Session, files: MemoryFileStore,
        name: str, values: dict[str, object] | None = None) -> tuple[Job, Export]:  # fmt: skip
    data_set, rows = make_small_store(dbsession)
    kind = get_kind(f"report.{name}")
    job = jobs.submit(dbsession, RecordingQueue(), kind, data_set=data_set, user=rows["alice"],
                      parameters={"values": values or {}})  # fmt: skip
    dbsession.commit()
    assert jobs.run(session_factory, RecordingQueue(), job.id, worker="t",
                    resources={"files": files}) == "succeeded"  # fmt: skip
    dbsession.expire_all()
    job = dbsession.get_one(Job, job.id)
    return job, dbsession.get_one(Export, job.result["export_id"])


def test_a_run_writes_csv_xlsx_and_html_as_an_export(
    session_factory: sessionmaker[Session], dbsession: Session, files: MemoryFileStore
) -> None:
    job, export = run(session_factory, dbsession, files, "inventory_valuation")
    names = ["inventory-valuation.csv", "inventory-valuation.xlsx", "inventory-valuation.html"]
    assert export.files == names
    assert export.folder == f"exports/inventory_valuation/{export.id}"
    assert sorted(files.list(export.folder)) == sorted(f"{export.folder}/{n}" for n in names)
    assert files.list("exports/inventory_valuation") == sorted(files.list(export.folder))
    assert export.row_count == 3
    assert job.result["rows"] == 3
    assert export.created_by_id == job.user_id
    assert export.title == "Inventory valuation: Small Store"
    text = files.read_bytes(f"{export.folder}/inventory-valuation.csv").decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:3] == ["Department number", "Department", "Products in stock"]
    assert table[-1] == ["", "All departments", "5", "26.500", "66.00", "91.00", "0", "1"]
    book = openpyxl.load_workbook(
        io.BytesIO(files.read_bytes(f"{export.folder}/inventory-valuation.xlsx"))
    )
    assert [cell.value for cell in book.active[2]][:5] == [1, "Dairy", 2, 6.5, 27.5]
    html = files.read_bytes(f"{export.folder}/inventory-valuation.html").decode()
    assert "<h1>Inventory valuation</h1>" in html
    assert "<td>All departments</td>" in html
    assert '<td class="number">66.00</td>' in html
    assert export_type_words("inventory_valuation") == "Inventory valuation"


def test_the_app_dirs_template_wins_over_the_packaged_one(
    session_factory: sessionmaker[Session], dbsession: Session, files: MemoryFileStore
) -> None:
    files.write(
        "templates/margin-by-department.html",
        b"<p>Ours: {{ title }} for {{ data_set }}</p>"
        b"{% for row in rows %}<i>{{ row[1] }}</i>{% endfor %}",
    )
    _, export = run(session_factory, dbsession, files, "margin_by_department")
    html = files.read_bytes(f"{export.folder}/margin-by-department.html").decode()
    assert (
        html == "<p>Ours: Margin by department for Small Store</p>"
        "<i>Dairy</i><i>Produce</i><i>(no department)</i>"
    )


def test_a_template_for_every_report_serves_those_without_their_own(
    session_factory: sessionmaker[Session], dbsession: Session, files: MemoryFileStore
) -> None:
    files.write("templates/report.html", b"{{ title }} <script>{{ '<b>' }}</script>")
    _, export = run(session_factory, dbsession, files, "inventory_valuation")
    html = files.read_bytes(f"{export.folder}/inventory-valuation.html").decode()
    assert html == "Inventory valuation <script>&lt;b&gt;</script>"  # escaped


def test_a_broken_template_fails_the_run_with_its_name_and_leaves_no_files(
    session_factory: sessionmaker[Session], dbsession: Session, files: MemoryFileStore
) -> None:
    files.write("templates/report.html", b"{% for row in rows %}")
    data_set, rows = make_small_store(dbsession)
    job = jobs.submit(dbsession, RecordingQueue(), get_kind("report.inventory_valuation"),
                      data_set=data_set, user=rows["alice"], parameters={})  # fmt: skip
    dbsession.commit()
    assert jobs.run(session_factory, RecordingQueue(), job.id, worker="t",
                    resources={"files": files}) == "failed"  # fmt: skip
    dbsession.expire_all()
    assert "template cannot be used" in (dbsession.get_one(Job, job.id).error or "")
    assert files.list("exports/inventory_valuation") == []


def test_the_run_keeps_its_parameters_and_the_report_says_them_in_words(
    session_factory: sessionmaker[Session], dbsession: Session, files: MemoryFileStore
) -> None:
    values = {"start": "2026-03-01", "end": "2026-03-05"}
    job, export = run(session_factory, dbsession, files, "cost_changes", values)
    assert job.parameters == {"values": values}
    assert export.row_count == 3
    words = get_report("cost_changes").parameter_words(job.parameters["values"])
    assert words == [("From", "1 March 2026"), ("To", "5 March 2026")]
    html = files.read_bytes(f"{export.folder}/cost-changes.html").decode()
    assert "<dt>From</dt><dd>1 March 2026</dd>" in html


def test_cli_parameters_are_typed_and_checked_as_the_form_checks_them() -> None:
    report = get_report("cost_changes")
    assert parse_cli_values(report, ["start=2026-03-01"]) == {"start": "2026-03-01", "end": None}
    with pytest.raises(ValueError, match="start: give a date"):
        parse_cli_values(report, ["start=yesterday"])
    with pytest.raises(ValueError, match="start: Required"):
        parse_cli_values(report, [])
    with pytest.raises(ValueError, match="parameters of cost_changes are end, start"):
        parse_cli_values(report, ["since=2026-03-01"])
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_cli_values(report, ["start=2026-03-05", "end=2026-03-01"])
    attention = get_report("products_needing_attention")
    assert parse_cli_values(attention, []) == {"reason": "all"}
    with pytest.raises(ValueError, match="choose one of"):
        parse_cli_values(attention, ["reason=cheap"])


def test_every_report_is_registered_with_its_job_kind() -> None:
    names = [report.name for report in all_reports("products")]
    assert set(names) >= {"margin_by_department", "cost_changes", "inventory_valuation",
                          "products_needing_attention"}  # fmt: skip
    for report in all_reports():
        kind = get_kind(report.job_kind_name)
        assert kind.permission == "view"
        assert kind.uses == ("files", "job_id")


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [(Decimal("1234.5"), "money", "1,234.50"), (Decimal("1.2500"), "cost", "1.25"),
     (Decimal("0.1234"), "cost", "0.1234"), (Decimal("-6.25"), "percent", "-6.25%"),
     (Decimal("26.500"), "quantity", "26.5"), (3, "int", "3"), (None, "money", ""),
     (True, "text", "Yes"), (date(2026, 3, 1), "date", "2026-03-01")],
)  # fmt: skip
def test_cells_of_the_printable_page(value: object, kind: str, text: str) -> None:
    assert cell_text(value, kind) == text
