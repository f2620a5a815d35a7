"""Exports: files written through the store, read back; templates; delete."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from poser.models.orm import DataSet, Export, Job
from poser.storage import MemoryFileStore, memory_store
from poser.tasks import exports as export_tasks
from poser.tasks import jobs
from poser.tasks.datasets import create_data_set, workbooks_folder
from poser.tasks.datasets import jobs as dataset_jobs
from poser.tasks.exports import (
    ExportColumn,
    OutputTemplateError,
    delete_export,
    load_output_template,
    template_columns,
    write_export,
)
from poser.tasks.generate import generate_products
from poser.utils import table_writers
from tests.factories import make_data_set, make_user
from tests.jobs_support import RecordingQueue

COLUMNS = [
    ExportColumn("upc", "UPC"),
    ExportColumn("description", "Description"),
    ExportColumn("unit_cost", "Unit cost"),
    ExportColumn("cost_change", "Cost change"),
]
ROWS: list[list[Any]] = [
    ["000123", '=HYPERLINK("http://evil")', Decimal("1.25"), Decimal("-0.10")],
    ["000456", "+1+2", 2, -3],
    ["000789", "-2+3", 0.5, "-5"],
    ["001000", "@SUM(A1)", None, "Milk 2% - whole"],
]
CATALOG_KEYS = [
    "line",
    "upc",
    "vendor_item_code",
    "description",
    "brand",
    "size",
    "status",
    "effective_date",
    "old_case_size",
    "case_size",
    "old_case_cost",
    "case_cost",
    "old_unit_cost",
    "unit_cost",
    "cost_change",
    "cost_change_percent",
    "flagged",
    "message",
    "excluded",
    "exclude_reason",
]


@pytest.fixture
def files() -> Iterator[MemoryFileStore]:
    store = memory_store()
    yield store
    for key in store.list():
        store.remove(key)


@pytest.fixture
def data_set(dbsession: Session) -> DataSet:
    return make_data_set(dbsession, "North")


def _write(data_set: DataSet, files: MemoryFileStore, **overrides: Any) -> Export:
    arguments: dict[str, Any] = {
        "export_type": "catalog",
        "title": "Catalog changes",
        "basename": "changes",
        "columns": COLUMNS,
        "rows": lambda: iter(ROWS),
    }
    return write_export(data_set, files, **{**arguments, **overrides})


def _csv(files: MemoryFileStore, key: str) -> list[list[str]]:
    data = files.read_bytes(key)
    assert data.startswith(b"\xef\xbb\xbf"), "a BOM, so that Excel reads UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _xlsx(files: MemoryFileStore, key: str) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(files.read_bytes(key)), read_only=True)
    try:
        return [list(row) for row in book.active.iter_rows(values_only=True)]
    finally:
        book.close()


def test_writes_csv_and_xlsx_and_records_the_export(
    dbsession: Session, data_set: DataSet, files: MemoryFileStore
) -> None:
    user = make_user(dbsession)
    export = _write(data_set, files, user_id=user.id)
    dbsession.commit()
    assert export.folder == f"exports/catalog/{export.id}"
    assert export.files == ["changes.csv", "changes.xlsx"]
    assert export.row_count == 4
    assert (export.data_set_id, export.created_by_id, export.title) == (
        data_set.id,
        user.id,
        "Catalog changes",
    )
    assert files.list(export.folder) == [f"{export.folder}/{name}" for name in export.files]

    assert _csv(files, f"{export.folder}/changes.csv") == [
        ["UPC", "Description", "Unit cost", "Cost change"],
        # Formula text gets a leading quote; numbers, and text that is a number, do not.
        ["000123", '\'=HYPERLINK("http://evil")', "1.25", "-0.10"],
        ["000456", "'+1+2", "2", "-3"],
        ["000789", "'-2+3", "0.5", "-5"],
        ["001000", "'@SUM(A1)", "", "Milk 2% - whole"],
    ]
    sheet = _xlsx(files, f"{export.folder}/changes.xlsx")
    assert sheet[0] == ["UPC", "Description", "Unit cost", "Cost change"]
    # In .xlsx such text is a string cell, which is never evaluated: kept as written.
    assert sheet[1] == ["000123", '=HYPERLINK("http://evil")', 1.25, -0.1]
    assert sheet[2] == ["000456", "+1+2", 2, -3]
    assert sheet[4] == ["001000", "@SUM(A1)", None, "Milk 2% - whole"]


def test_each_format_streams_the_rows_once(data_set: DataSet, files: MemoryFileStore) -> None:
    calls = 0
    consumed: list[int] = []

    def rows() -> Iterator[Sequence[Any]]:
        nonlocal calls
        calls += 1
        for number in range(3):
            consumed.append(number)
            yield [str(number), "x", number, number]

    export = _write(data_set, files, rows=rows)
    assert calls == 2
    assert consumed == [0, 1, 2, 0, 1, 2]
    assert export.row_count == 3


def test_csv_goes_to_the_store_in_chunks_not_whole(
    data_set: DataSet, files: MemoryFileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table_writers, "CSV_CHUNK_BYTES", 64)
    produced = 0

    def rows() -> Iterator[Sequence[Any]]:
        nonlocal produced
        for number in range(200):
            produced += 1
            yield [f"{number:06d}", "description", number, 0]

    reads: list[int] = []
    write = files.write

    def spy(key: str, data: Any) -> int:
        class Reader:
            def read(self, size: int = -1, /) -> bytes:
                chunk = data.read(size)
                reads.append(produced)
                return chunk

        return write(key, Reader())

    monkeypatch.setattr(files, "write", spy)
    monkeypatch.setattr("poser.storage.fsspec_store.CHUNK_SIZE", 128)
    export = _write(data_set, files, rows=rows, formats=("csv",))
    assert export.files == ["changes.csv"]
    assert len(_csv(files, f"{export.folder}/changes.csv")) == 201
    assert reads[0] < 200, "the store reads the first bytes before every row is made"


def test_one_format_and_progress(data_set: DataSet, files: MemoryFileStore) -> None:
    class Recorder:
        def __init__(self) -> None:
            self.lines: list[str] = []

        def update(
            self, done: float, total: float | None = None, message: str | None = None
        ) -> None:
            return None

        def log(self, line: str) -> None:
            self.lines.append(line)

    progress = Recorder()
    export = _write(data_set, files, formats=("xlsx",), progress=progress)
    assert export.files == ["changes.xlsx"]
    assert files.list(export.folder) == [f"{export.folder}/changes.xlsx"]
    assert progress.lines == ["Wrote changes.xlsx: 4 rows."]


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"formats": ()}, "formats must be"),
        ({"formats": ("pdf",)}, "formats must be"),
        ({"basename": "../escape"}, "bad basename"),
        ({"basename": "a/b"}, "bad basename"),
        ({"export_type": ".."}, "bad export type"),
        ({"export_type": ""}, "bad export type"),
    ],
)
def test_bad_arguments_are_refused(
    data_set: DataSet, files: MemoryFileStore, overrides: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        _write(data_set, files, **overrides)
    assert files.list() == []


def test_a_failure_removes_what_was_written(
    dbsession: Session, data_set: DataSet, files: MemoryFileStore
) -> None:
    def rows() -> Iterator[Sequence[Any]]:
        yield ["1", "a", 1, 1]
        yield ["2", "a short row"]

    with pytest.raises(ValueError, match="row 2 has 2 values for 4 columns"):
        _write(data_set, files, rows=rows)
    assert files.list() == []


def test_leftovers_of_a_rolled_back_export_are_cleared(
    dbsession: Session, data_set: DataSet, files: MemoryFileStore
) -> None:
    first = _write(data_set, files)
    folder = first.folder
    files.write(f"{folder}/stale.csv", b"from an attempt that was rolled back")
    dbsession.delete(first)
    dbsession.flush()
    again = _write(data_set, files, basename="again", formats=("csv",))
    # SQLite hands out the deleted id again (PostgreSQL does not, and passes trivially).
    assert files.list(again.folder) == [f"{again.folder}/again.csv"]


def test_delete_removes_the_row_and_names_its_folder(
    dbsession: Session, data_set: DataSet, files: MemoryFileStore
) -> None:
    export = _write(data_set, files)
    other = _write(data_set, files, basename="other")
    dbsession.commit()
    folder = export.folder
    assert delete_export(export) == folder
    dbsession.commit()
    assert dbsession.scalars(select(Export.id)).all() == [other.id]
    # The caller removes the folder after the commit; until then the files stay.
    assert f"{folder}/changes.csv" in files.list(folder)


def test_the_packaged_catalog_template(files: MemoryFileStore) -> None:
    template = load_output_template(files, "catalog_change_report.json", CATALOG_KEYS)
    assert template["title"] == "Catalog changes"
    columns = template_columns(template)
    assert [column.key for column in columns] == CATALOG_KEYS
    assert ExportColumn("old_unit_cost", "Old unit cost") in columns
    assert all(column.header for column in columns)


def test_the_operators_template_wins(files: MemoryFileStore) -> None:
    override = {"title": "Changes", "columns": [{"key": "upc", "header": " Item "}]}
    files.write("templates/catalog_change_report.json", json.dumps(override).encode())
    template = load_output_template(files, "catalog_change_report.json", CATALOG_KEYS)
    assert template == {"title": "Changes", "columns": [{"key": "upc", "header": "Item"}]}
    assert template_columns(template) == [ExportColumn("upc", "Item")]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "must be a JSON object"),
        (b'{"columns": [{"key": "upc", "header": "UPC"}]}', 'needs a "title"'),
        (b'{"title": "T", "columns": []}', 'needs "columns"'),
        (b'{"title": "T", "columns": ["upc"]}', "column 1 is not an object"),
        (b'{"title": "T", "columns": [{"header": "UPC"}]}', 'column 1 needs a "key"'),
        (b'{"title": "T", "columns": [{"key": "upc"}]}', "column 'upc' needs a \"header\""),
        (
            b'{"title": "T", "columns": [{"key": "upc", "header": "A"}, '
            b'{"key": "upc", "header": "B"}]}',
            "column key 'upc' is listed twice",
        ),
        (
            b'{"title": "T", "columns": [{"key": "colour", "header": "Colour"}]}',
            "unknown column key 'colour'",
        ),
    ],
)
def test_a_bad_template_is_a_clear_error(
    files: MemoryFileStore, content: bytes, problem: str
) -> None:
    files.write("templates/catalog_change_report.json", content)
    with pytest.raises(OutputTemplateError) as raised:
        load_output_template(files, "catalog_change_report.json", CATALOG_KEYS)
    assert isinstance(raised.value, ValueError)
    message = str(raised.value)
    assert "templates/catalog_change_report.json" in message
    assert problem in message


def test_unknown_keys_are_accepted_when_no_keys_are_given(files: MemoryFileStore) -> None:
    files.write("templates/any.json", b'{"title": "T", "columns": [{"key": "k", "header": "K"}]}')
    assert template_columns(load_output_template(files, "any.json")) == [ExportColumn("k", "K")]


@pytest.mark.parametrize("name", ["missing.json", "../secrets.json", "a/b.json", "x.txt", ""])
def test_missing_or_impossible_template_names(files: MemoryFileStore, name: str) -> None:
    with pytest.raises(OutputTemplateError):
        load_output_template(files, name)


def test_packaged_templates_are_where_the_loader_looks() -> None:
    package, folder = export_tasks.PACKAGED_TEMPLATES
    names = [entry.name for entry in resources.files(package).joinpath(folder).iterdir()]
    assert "catalog_change_report.json" in names


def test_two_workbook_exports_in_the_same_second_write_two_files(
    session_factory: sessionmaker[Session],
    dbsession: Session,
    files: MemoryFileStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The data set's workbook export (a job) names its file after the job too."""
    data_set = create_data_set(dbsession, "Corner Shop", "products", None)
    generate_products(data_set, products=3, seed=1)
    queue = RecordingQueue()
    submitted = [
        jobs.submit(dbsession, queue, dataset_jobs.export, data_set=data_set) for _ in "ab"
    ]
    dbsession.commit()
    same_second = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    monkeypatch.setattr(dataset_jobs, "utcnow", lambda: same_second)
    resources = {"files": files, "work_dir": tmp_path}
    for job in submitted:
        assert jobs.run(session_factory, queue, job.id, worker="w", resources=resources)
    dbsession.expire_all()
    results = [dbsession.get_one(Job, job.id).result or {} for job in submitted]
    assert [result["filename"] for result in results] == [
        f"corner-shop-20240506-070809-{job.id}.xlsx" for job in submitted
    ]
    for result in results:  # each in its own export's folder
        export = dbsession.get_one(Export, result["export_id"])
        assert files.list(export.folder) == [result["download"]]
    assert files.list(workbooks_folder(data_set.id)) == []  # moved, nothing left behind
