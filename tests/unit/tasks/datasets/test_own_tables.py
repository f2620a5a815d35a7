"""An Application with tables of its own (tests/notes_sample): the framework copies,
exports, imports and checks its data sets from its format alone."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from poser.storage import memory_store
from poser.tasks.datasets import create_data_set, data_set_is_empty, workbook
from poser.tasks.datasets import jobs as dataset_jobs
from poser.tasks.datasets.workbook import import_data_set
from poser.tasks.jobs import TaskError
from poser.tasks.uploads import store_upload
from tests.factories import make_user
from tests.notes_sample import migrated
from tests.notes_sample.tables import Note, Notebook
from tests.unit.utils.tabular.builders import make_xlsx

NOTES_HEADER = ["notebook", "number", "title", "priority", "done", "amount"]


@pytest.fixture(scope="module", autouse=True)
def notes_tables(engine: Engine, database_url: str) -> Iterator[None]:
    with migrated(database_url):
        yield


def _workbook(*extra_notes: list[Any]) -> bytes:
    return make_xlsx(
        {
            "notebooks": [["code", "name"], ["HOME", "At home"], ["WORK", "At work"]],
            "notes": [
                NOTES_HEADER,
                ["HOME", 1, "Water the plants", 2, "yes", None],
                ["WORK", 1, "Expense report", None, False, "12.5"],
                ["WORK", 2, "Call Nina", "1", None, 3],
                *extra_notes,
            ],
        }
    )


def _notes(dbsession: Session, data_set_id: int) -> set[tuple[Any, ...]]:
    """The data set's notes as operators see them: by notebook code, not by id."""
    rows = dbsession.execute(
        select(Notebook.code, Notebook.name, Note.number, Note.title, Note.priority)
        .add_columns(Note.done, Note.amount)
        .join(Note, Note.notebook_id == Notebook.id)
        .where(Note.data_set_id == data_set_id)
    )
    return {tuple(row) for row in rows}


def _sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}
    finally:
        book.close()


def test_copy_export_and_import_give_equal_data(dbsession: Session, tmp_path: Path) -> None:
    owner = make_user(dbsession)
    source = create_data_set(dbsession, "Mine", "notes", owner)
    assert data_set_is_empty(source)
    assert import_data_set(source, io.BytesIO(_workbook())) == {"notebooks": 2, "notes": 3}
    assert not data_set_is_empty(source)
    expected = {
        ("HOME", "At home", 1, "Water the plants", 2, True, None),
        ("WORK", "At work", 1, "Expense report", None, False, Decimal("12.50")),
        ("WORK", "At work", 2, "Call Nina", 1, False, Decimal("3.00")),
    }
    assert _notes(dbsession, source.id) == expected
    dbsession.commit()

    copied = dataset_jobs.copy(source, name="Copy", owner_id=owner.id)
    assert _notes(dbsession, copied["data_set_id"]) == expected
    crossing = (
        select(func.count())
        .select_from(Note)
        .join(Notebook, Notebook.id == Note.notebook_id)
        .where(Note.data_set_id == copied["data_set_id"], Notebook.data_set_id != Note.data_set_id)
    )
    assert dbsession.scalar(crossing) == 0

    files = memory_store()
    exported = dataset_jobs.export(source, files=files, work_dir=tmp_path, job_id=1)
    sheets = _sheets(files.read_bytes(exported["download"]))
    assert sheets == {
        "notebooks": [("code", "name"), ("HOME", "At home"), ("WORK", "At work")],
        "notes": [
            tuple(NOTES_HEADER),
            ("HOME", 1, "Water the plants", 2, True, None),
            ("WORK", 1, "Expense report", None, False, 12.5),
            ("WORK", 2, "Call Nina", 1, False, 3),
        ],
    }
    target = create_data_set(dbsession, "Theirs", "notes", owner)
    with files.open(exported["download"]) as stream:
        upload = store_upload(target, files, stream, "mine.xlsx", None, 10**8, ("xlsx",))
    result = dataset_jobs.import_upload(target, upload_id=upload.id, files=files)
    assert result == {"file": "mine.xlsx", "notebooks": 2, "notes": 3}
    assert _notes(dbsession, target.id) == expected
    with pytest.raises(TaskError, match="This data set has data already"):
        dataset_jobs.import_upload(target, upload_id=upload.id, files=files)


# Rows appended to the notes sheet (rows 2 to 4 are good), and what the import says.
BAD_NOTES = {
    "unknown notebook": (
        ["GARDEN", 1, "Weed", None, None, None],
        "In sheet 'notes', row 5: notebook GARDEN is not on the notebooks sheet.",
    ),
    "repeated key": (
        ["WORK", 2, "Call Nina again", None, None, None],
        "In sheet 'notes', row 5: notebook WORK, number 2 is also on row 4.",
    ),
    "not a number": (
        ["HOME", 2, "Sweep", "high", None, None],
        "In sheet 'notes', row 5: priority: 'high' is not a number.",
    ),
    "no title": (["HOME", 2, None, None, None, None], "row 5: title: a value is needed."),
    "too large": (["HOME", 2, "Save", None, None, 1234567], "amount: 1234567 is too large."),
    "not yes or no": (["HOME", 2, "Dust", None, "maybe", None], "done: 'maybe' is not yes or no"),
}


@pytest.mark.parametrize(("row", "message"), BAD_NOTES.values(), ids=BAD_NOTES.keys())
def test_problems_are_named_by_sheet_and_row(
    dbsession: Session, row: list[Any], message: str
) -> None:
    data_set = create_data_set(dbsession, "Mine", "notes", None)
    with pytest.raises(TaskError) as caught:
        import_data_set(data_set, io.BytesIO(_workbook(row)))
    assert str(caught.value).startswith("Nothing was imported.")
    assert message in str(caught.value)
    assert data_set_is_empty(data_set)


def test_a_key_repeated_in_another_batch_is_found_by_the_database(
    dbsession: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook, "BATCH", 1)
    data_set = create_data_set(dbsession, "Mine", "notes", None)
    repeated = ["HOME", 1, "Water the plants again", None, None, None]
    with pytest.raises(TaskError) as caught:
        import_data_set(data_set, io.BytesIO(_workbook(repeated)))
    assert "row 5: notebook HOME, number 1 is also on an earlier row" in str(caught.value)
    assert data_set_is_empty(data_set)
    assert import_data_set(data_set, io.BytesIO(_workbook())) == {"notebooks": 2, "notes": 3}


def test_a_workbook_of_another_kind_is_not_a_data_set_workbook(dbsession: Session) -> None:
    data_set = create_data_set(dbsession, "Mine", "notes", None)
    products = make_xlsx({"departments": [["number", "name"], [1, "Grocery"]]})
    with pytest.raises(TaskError, match="no sheet named 'notebooks'"):
        import_data_set(data_set, io.BytesIO(products))
