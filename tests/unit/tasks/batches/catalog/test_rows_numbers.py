"""Catalog rows read with their file's decimal mark, and values no column can hold: each
row is either read as written or in error with a message naming the value, and no
value a column cannot hold reaches the database."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from poser.models.orm import CatalogBatchRow, ProductCost
from poser.tasks.batches import get_handler
from poser.tasks.batches.catalog.reader import read_chunks
from poser.tasks.batches.catalog.rows import MAX_CASE_COST, read_row
from poser.utils.tabular import CATALOG_COLUMNS, Row
from tests.catalog_support import upload_text

UPC = "036000291452"


def _read(mark: str | None, **cells: object) -> dict[str, object]:
    return read_row(Row(2, {"upc": UPC, **cells}), 1, 1, decimal_mark=mark)


@pytest.mark.parametrize(
    ("mark", "cells", "case_size", "case_cost", "unit_cost"),
    [
        # The short path and the careful one agree for every mark.
        (",", {"case_size": "12", "case_cost": "23,94"}, 12, 23.94, 1.995),
        (".", {"case_size": "12", "case_cost": "23,94"}, 12, 23.94, 1.995),
        (None, {"case_size": "12", "case_cost": "23,94"}, 12, 23.94, 1.995),
        (",", {"case_size": "12", "case_cost": "1.234,50"}, 12, 1234.5, 102.875),
        (",", {"case_cost": "1,234"}, 1, 1.23, 1.23),  # a case cost has two places
        (".", {"case_cost": "1,234"}, 1, 1234.0, 1234.0),
        (",", {"case_cost": "1.234"}, 1, 1234.0, 1234.0),
        (".", {"case_cost": "1.234"}, 1, 1.23, 1.23),
        (",", {"case_size": "12,000", "unit_cost": "0,50"}, 12, 6.0, 0.5),  # SAP's 12.000
        (None, {"unit_cost": "€ 2,50"}, 1, 2.5, 2.5),
        (".", {"case_size": "1,200", "case_cost": "$2,400.00"}, 1200, 2400.0, 2.0),
    ],
)
def test_costs_are_read_with_the_files_decimal_mark(
    mark, cells, case_size, case_cost, unit_cost
) -> None:
    record = _read(mark, **cells)
    assert record["status"] is None, record["message"]
    assert (record["case_size"], record["case_cost"], record["unit_cost"]) == (
        case_size,
        case_cost,
        unit_cost,
    )


@pytest.mark.parametrize(
    ("mark", "cells", "message"),
    [
        (None, {"case_cost": "1,234"}, "Case cost: '1,234' can be read as 1234 or as 1.234"),
        (None, {"case_size": "12,000", "case_cost": "24"}, "Case size: '12,000' can be read"),
        (".", {"case_cost": "1e308"}, "Case cost: '1e308' is written with an exponent"),
        (".", {"case_cost": 1e308}, "Case cost: 1e+308 is too large"),
        (".", {"unit_cost": float("inf")}, "Unit cost: inf is not a number"),
        (".", {"unit_cost": "NaN"}, "Unit cost: 'NaN' is not a number"),
        (".", {"unit_cost": "9" * 5000}, "Unit cost: '999999999999999999999999'... is too long"),
        (".", {"case_size": "9" * 5000, "case_cost": "1"}, "Case size: '999999999999999999999"),
        (".", {"case_size": "\u00b2", "case_cost": "1"}, "Case size: '\u00b2' is not a number"),
        (".", {"case_size": 1e300, "case_cost": "1"}, "Case size: 1e+300 is more than 10000"),
        (".", {"case_size": "99999999999", "case_cost": "1"}, "is more than 10000"),
        # The case cost worked out from the unit cost is past what a case costs (and
        # past its column, Numeric(10, 2), on PostgreSQL).
        (
            ".",
            {"case_size": "10000", "unit_cost": "10000"},
            f"Case cost: 10000 \u00d7 10000 = 100000000.00 is more than {MAX_CASE_COST}",
        ),
    ],
)
def test_a_value_in_doubt_or_past_a_column_is_a_row_error(mark, cells, message) -> None:
    record = _read(mark, **cells)
    assert record["status"] == "error"
    assert message in record["message"]
    for key, limit in (("case_cost", float(MAX_CASE_COST)), ("unit_cost", 10_000.0)):
        assert record[key] is None or record[key] <= limit  # nothing a column cannot hold
    assert record["case_size"] is None or record["case_size"] <= 10_000


@pytest.mark.parametrize("process", [False, True], ids=["thread", "process"])
def test_both_readers_use_the_files_decimal_mark_and_say_where_they_read(process) -> None:
    # A big file is read by a second process: it must decide as the thread does.
    text = "Acme GmbH;;\n;;\nUPC;Pack;Case Cost\n" + "".join(
        f"{number:012d};12;1.{number:03d}\n" for number in range(1, 8)
    )
    with read_chunks(
        io.BytesIO(text.encode()), "acme.csv", CATALOG_COLUMNS, 7, 3,
        process_min_bytes=0 if process else 1 << 30,
    ) as rows:  # fmt: skip
        assert rows.read_from == (
            "Read the file from line 3 (the header), numbers with a decimal comma"
        )
        records = [record for chunk in rows.chunks for record in chunk]
    # "1.001" in a semicolon file with no other sign: a thousand and one, not 1.001.
    assert [(r["line"], r["case_cost"]) for r in records] == [
        (line, 1000.0 + line - 3) for line in range(4, 11)
    ]


def test_a_change_past_the_percent_column_is_flagged_not_stored(dbsession, files, store) -> None:
    # 0.0001 to 10,000 is 9,999,999,900%: Numeric(10, 2) holds less (PostgreSQL refused
    # the whole populate); the row keeps its change and says it in its message.
    cost = dbsession.scalars(
        select(ProductCost).where(ProductCost.product_id == store["butter"].id)
    ).one()
    cost.case_size, cost.case_cost, cost.unit_cost = 1, Decimal("0.01"), Decimal("0.0001")
    dbsession.flush()
    upload = upload_text(store["data_set"], files, f"UPC,Pack,Unit Cost\n{UPC},1,10000\n")
    handler = get_handler("catalog")
    batch = handler.make(
        store["data_set"], files, upload=upload, parameters={"vendor_id": store["acme"].id}
    )
    with dbsession.begin_nested():
        handler.populate(batch, files)
    row = dbsession.scalars(select(CatalogBatchRow)).one()
    assert (row.status, row.flagged, row.cost_change, row.cost_change_percent) == (
        "cost_up",
        True,
        Decimal("9999.9999"),
        None,
    )
    assert row.message == ("the cost changes by 9999999900.00%, more than the tolerance of 10%")
