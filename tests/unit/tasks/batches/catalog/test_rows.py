"""Reading catalog rows: the short paths give what the careful ones give, and the
read-ahead thread hands over chunks, errors and stops."""

from __future__ import annotations

import io
import threading
from decimal import Decimal

import pytest

from poser.tasks.batches.catalog.compare import decide
from poser.tasks.batches.catalog.rows import read_ahead, read_row
from poser.utils.tabular import CATALOG_COLUMNS, Row, TabularError, open_table
from poser.utils.tabular.table import SAMPLE_ROWS


def _table(text: str):
    return open_table(io.BytesIO(text.encode()), "t.csv", columns=CATALOG_COLUMNS)


@pytest.mark.parametrize(
    ("cells", "case_size", "case_cost", "unit_cost"),
    [
        # Rounded as Decimals, handed over as the floats the driver takes.
        ({"case_size": "12", "case_cost": "24.00"}, 12, 24.0, 2.0),
        ({"case_size": 12.0, "case_cost": 24.004}, 12, 24.0, 2.0),
        ({"case_size": "1,200", "case_cost": "$2,400.00"}, 1200, 2400.0, 2.0),
        ({"unit_cost": "0.33335"}, 1, 0.33, 0.3334),
        ({"case_size": "3", "case_cost": "10.00"}, 3, 10.0, 3.3333),
    ],
)
def test_plain_and_decorated_numbers_read_alike(cells, case_size, case_cost, unit_cost) -> None:
    record = read_row(Row(2, {"upc": "036000291452", **cells}), 1, 1)
    assert record["status"] is None, record["message"]
    assert (record["case_size"], record["case_cost"], record["unit_cost"]) == (
        case_size,
        case_cost,
        unit_cost,
    )


def test_decide_reads_the_drivers_floats_and_decimals_alike() -> None:
    for old in (2.0, Decimal("2.0000")):
        record = read_row(
            Row(2, {"upc": "036000291452", "case_size": "12", "case_cost": "26.40"}), 1, 1
        )
        decide(record, (7, "A-1", 12, old * 12, old), Decimal("5"))
        assert record["status"] == "cost_up"
        assert record["cost_change_percent"] == Decimal("10.00")
        assert record["flagged"]


def test_read_ahead_hands_over_every_row_in_chunks() -> None:
    text = "UPC,Case Cost\n" + "".join(f"{i:012d},1.00\n" for i in range(1, 12))
    with _table(text) as rows:
        chunks = list(read_ahead(rows, 1, 1, size=5))
    assert [len(chunk) for chunk in chunks] == [5, 5, 1]
    assert [record["line"] for chunk in chunks for record in chunk] == list(range(2, 13))


def test_read_ahead_raises_the_readers_error_in_the_callers_thread() -> None:
    # Past the rows the table reads ahead when it opens, so that the thread meets it.
    good = "000000000017,1.00\n" * (SAMPLE_ROWS + 1)
    text = "UPC,Case Cost\n" + good + '"unterminated,1.00\n' + "x" * 10
    with _table(text) as rows, pytest.raises(TabularError):
        for _ in read_ahead(rows, 1, 1, size=1):
            pass


def test_read_ahead_stops_its_thread_when_the_caller_stops() -> None:
    text = "UPC,Case Cost\n" + "".join(f"{i:012d},1.00\n" for i in range(1, 200))
    before = threading.active_count()
    with _table(text) as rows:
        chunks = read_ahead(rows, 1, 1, size=1)
        next(chunks)
        chunks.close()  # e.g. a cancelled job: the generator is closed mid-way
    assert threading.active_count() == before
