"""The catalog file read by a second process: the same chunks as the thread gives, its
errors raised here with their line, and the process gone whenever reading stops."""

from __future__ import annotations

import io
import os
import signal
from typing import Any

import pytest

from poser.tasks.batches.catalog.reader import read_chunks
from poser.utils.tabular import CATALOG_COLUMNS, TabularError
from tests.unit.utils.tabular.builders import make_xlsx

LINES = "UPC,Description,Pack,Case Cost\n" + "".join(
    f"{number:012d},Item {number},12,{number}.50\n" for number in range(1, 12)
)


def _chunks(data: bytes, *, process: bool, size: int = 5) -> tuple[Any, list[list[dict]]]:
    with read_chunks(
        io.BytesIO(data), "c.csv", CATALOG_COLUMNS, 7, 3, size=size,
        process_min_bytes=0 if process else 1 << 30,
    ) as rows:  # fmt: skip
        return rows, list(rows.chunks)


def _running(process_id: int) -> bool:
    try:
        os.kill(process_id, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_process_hands_over_what_the_thread_does() -> None:
    by_thread, thread_chunks = _chunks(LINES.encode(), process=False)
    by_process, process_chunks = _chunks(LINES.encode(), process=True)
    assert [len(chunk) for chunk in process_chunks] == [5, 5, 1]
    assert process_chunks == thread_chunks
    assert by_process.headers == by_thread.headers == (
        "upc", "description", "case_size", "case_cost",
    )  # fmt: skip
    assert by_process.has_rows
    first = process_chunks[0][0]
    assert (first["batch_id"], first["data_set_id"], first["line"]) == (7, 3, 2)
    assert (first["upc"], first["case_cost"], first["unit_cost"]) == ("00000000000001", 1.5, 0.125)


def test_a_header_only_file_has_no_rows() -> None:
    rows, chunks = _chunks(b"UPC,Case Cost\n", process=True)
    assert not rows.has_rows
    assert chunks == []


def test_a_workbook_is_read_by_the_process_too() -> None:
    data = make_xlsx(
        {"Catalog": [["UPC", "Case Cost"], ["000000000017", 2.5], ["000000000024", 3]]}
    )
    rows, chunks = _chunks(data, process=True)
    assert rows.headers == ("upc", "case_cost")
    assert [record["case_cost"] for record in chunks[0]] == [2.5, 3.0]


def test_a_file_that_cannot_be_read_is_refused_before_any_chunk() -> None:
    with pytest.raises(TabularError, match="empty"):
        _chunks(b"\n\n", process=True)


def test_an_error_further_down_is_raised_here_with_its_line() -> None:
    data = (LINES + '000000000017,"never closed,1,1.00\n' + "x" * 10).encode()
    with pytest.raises(TabularError) as raised:
        _chunks(data, process=True)
    assert raised.value.line == 13
    assert "never closed" in raised.value.message


def test_the_process_ends_when_the_caller_stops_early() -> None:
    with read_chunks(
        io.BytesIO(LINES.encode() * 50), "c.csv", CATALOG_COLUMNS, 1, 1, size=1,
        process_min_bytes=0,
    ) as rows:  # fmt: skip
        next(rows.chunks)
        assert rows.process_id is not None
        assert _running(rows.process_id)
    assert not _running(rows.process_id)  # killed and reaped, not left behind


def test_a_reader_that_dies_is_an_error_not_a_hang() -> None:
    with read_chunks(
        io.BytesIO(LINES.encode() * 2000), "c.csv", CATALOG_COLUMNS, 1, 1, size=1,
        process_min_bytes=0,
    ) as rows:  # fmt: skip
        assert rows.process_id is not None
        os.kill(rows.process_id, signal.SIGKILL)
        with pytest.raises(TabularError, match="stopped unexpectedly"):
            for _ in rows.chunks:
                pass
