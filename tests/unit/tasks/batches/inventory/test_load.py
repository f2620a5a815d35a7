"""Loading a count's lines: rows in the order of the lines over chunks, files and typed
lines, and a reading that failed leaving nothing to the next."""

from __future__ import annotations

from functools import partial

import pytest

from poser.tasks.batches import BatchError
from poser.tasks.batches.inventory import handler as inventory_handler
from poser.tasks.batches.inventory.counting import add_file, add_typed_line
from poser.tasks.batches.inventory.reader import read_count_file
from tests.catalog_support import UPC_BUTTER, UPC_MILK, UPC_NEW, UPC_SOAP, upload_text
from tests.inventory_support import count, handler, rows, set_on_hand

#: Butter's UPC with a wrong check digit: a line in error.
WRONG = UPC_BUTTER[:-1] + "3"


def test_rows_follow_the_lines_over_chunks_files_and_typed_lines(
    dbsession, files, store, monkeypatch
) -> None:
    monkeypatch.setattr(inventory_handler, "read_count_file", partial(read_count_file, size=2))
    set_on_hand(dbsession, store, butter="1", soap="9")
    batch = count(
        store,
        files,
        f"{UPC_SOAP},2\n{UPC_NEW},1\n{UPC_BUTTER},3\n{WRONG},1\n{UPC_BUTTER},4\n",
        f"UPC;Qty\n{UPC_MILK};5\n{UPC_SOAP};1\n",
    )
    add_typed_line(batch, UPC_BUTTER, "2")
    read = [(row.file_name, row.line, row.status) for row in rows(dbsession, batch)]
    assert read == [
        ("scan1.csv", 1, "decrease"),
        ("scan1.csv", 2, "error"),
        ("scan1.csv", 3, "increase"),
        ("scan1.csv", 4, "error"),
        ("scan1.csv", 5, "merged"),
        ("scan2.csv", 2, "increase"),
        ("scan2.csv", 3, "merged"),
        ("", 1, "merged"),
    ]
    butter = rows(dbsession, batch)[2]
    assert butter.counted_units == 9
    assert rows(dbsession, batch)[4].message == "Added to the count on line 3 of scan1.csv"
    assert rows(dbsession, batch)[6].message == "Added to the count on line 1 of scan1.csv"


def test_a_reading_that_failed_leaves_none_of_its_lines_to_the_next(
    dbsession, files, store
) -> None:
    batch = count(store, files, f"{UPC_SOAP},2\n{UPC_BUTTER},3\n")
    good = list(batch.parameters["files"])
    add_file(batch, files, upload_text(store["data_set"], files, f"{WRONG},1\n", "bad.csv"))
    with pytest.raises(BatchError, match=r"No line of bad\.csv reads as a count"):
        handler.populate(batch, files)  # the refusal comes after the first file's lines
    batch.parameters = {**batch.parameters, "files": good}
    handler.populate(batch, files)
    assert [(row.file_name, row.line) for row in rows(dbsession, batch)] == [
        ("scan1.csv", 1),
        ("scan1.csv", 2),
    ]
    assert batch.row_count == 2
