"""The catalog batch handler: each row status, populate's errors, execute (once), delete."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import (
    Batch,
    BatchExecution,
    CatalogBatchRow,
    Product,
    ProductChange,
    ProductCost,
    Upload,
)
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.batches.catalog import reader as catalog_reader
from tests.catalog_support import (
    HEADER,
    UPC_BUTTER,
    UPC_MILK,
    UPC_NEW,
    UPC_OTHER_VENDOR,
    UPC_SOAP,
    make_batch,
    preferred_costs_out_of_step,
)
from tests.factories import make_data_set, make_user

handler = get_handler("catalog")


def _rows(dbsession: Session, batch: Batch) -> dict[int, CatalogBatchRow]:
    rows = dbsession.scalars(select(CatalogBatchRow).where(CatalogBatchRow.batch_id == batch.id))
    return {row.line: row for row in rows}


def _populate(dbsession: Session, files: Any, store: dict[str, Any], text: str, **options: Any):
    batch = make_batch(store["data_set"], files, text, store["acme"], **options)
    handler.populate(batch, files)
    dbsession.flush()
    return batch, _rows(dbsession, batch)


def test_make_moves_the_upload_into_the_batch_folder(dbsession, files, store) -> None:
    batch = make_batch(store["data_set"], files, HEADER, store["acme"])
    assert batch.input_key == f"batches/catalog/{batch.id}/catalog.csv"
    assert files.exists(batch.input_key)
    assert files.list(f"uploads/{store['data_set'].id}") == []
    upload = dbsession.scalars(select(Upload)).one()
    assert upload.key == batch.input_key
    assert batch.parameters["vendor_code"] == "ACME"


def test_make_refuses_a_vendor_of_another_data_set(dbsession, files, store) -> None:
    other = make_data_set(dbsession, "Other")
    with pytest.raises(BatchError, match="vendor"):
        make_batch(other, files, HEADER, store["acme"])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tolerance_percent": "lots"}, "Tolerance"),
        ({"tolerance_percent": "-1"}, "Tolerance"),
        ({"new_items": "maybe"}, "New items"),
        ({"effective_date": "someday"}, "Effective date"),
        ({"mapping": {"Our Cost": "price"}}, "Column mapping"),
    ],
)
def test_make_refuses_bad_options(files, store, options, message) -> None:
    with pytest.raises(BatchError, match=message):
        make_batch(store["data_set"], files, HEADER, store["acme"], **options)


@pytest.mark.parametrize("reader", ["thread", "process"])
def test_each_status(dbsession, files, store, reader, monkeypatch) -> None:
    if reader == "process":  # what a big file gets: read by a second process
        monkeypatch.setattr(catalog_reader, "PROCESS_MIN_BYTES", 0)
    text = HEADER + "\n".join(
        [
            f"{UPC_BUTTER},A-100,Butter,,1 lb,12,26.40",  # 2.00 -> 2.20: up 10%
            f"{UPC_SOAP},A-200,Soap,,4 oz,6,6.00",  # 1.50 -> 1.00: down 33%
            f"{UPC_MILK},A-300,Milk,,1 gal,4,12.00",  # unchanged
            f"{UPC_NEW},A-400,New thing,Brand,1 ea,2,5.00",
            f"{UPC_OTHER_VENDOR},A-500,Other,,1 ea,10,10.00",  # BETA's item: new cost
            "012345678901,A-600,Bad check digit,,,1,1.00",
        ]
    )
    batch, rows = _populate(dbsession, files, store, text, tolerance_percent="20")
    status = {line: row.status for line, row in rows.items()}
    assert status == {
        2: "cost_up",
        3: "cost_down",
        4: "unchanged",
        5: "new_item",
        6: "new_cost",
        7: "error",
    }
    assert rows[2].cost_change == Decimal("0.2000")
    assert rows[2].cost_change_percent == Decimal("10.00")
    assert not rows[2].flagged  # 10% is within 20%
    assert rows[3].flagged
    assert "tolerance of 20%" in rows[3].message
    assert "check digit" in rows[7].message
    assert rows[5].product_id is None
    assert rows[6].product_id == store["other"].id
    assert batch.status == "populated"
    assert batch.row_count == 6
    assert batch.status_counts["error"] == 1


def test_case_size_and_vendor_code_changes(dbsession, files, store) -> None:
    text = HEADER + "\n".join(
        [
            f"{UPC_BUTTER},A-100,Butter,,,24,48.00",  # same unit cost, case of 24
            f"{UPC_SOAP},A-999,Soap,,,6,9.00",  # new item code
            f"{UPC_MILK},,Milk,,,4,12.00",  # no code in the file: no change
        ]
    )
    _, rows = _populate(dbsession, files, store, text)
    assert [rows[line].status for line in (2, 3, 4)] == [
        "case_size_change",
        "vendor_code_change",
        "unchanged",
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("abc,X,Thing,,,1,1.00", "only digits"),
        (f"{UPC_BUTTER},X,Thing,,,1,free", "not a number"),
        (f"{UPC_BUTTER},X,Thing,,,1,-2.00", "negative"),
        (f"{UPC_BUTTER},X,Thing,,,1,999999", "cannot be right"),
        (f"{UPC_BUTTER},X,Thing,,,1,0", "zero"),
        (f"{UPC_BUTTER},X,Thing,,,0,2.00", "Case size"),
        (f"{UPC_BUTTER},X,Thing,,,half,2.00", "Case size"),
        (f"{UPC_BUTTER},X,Thing,,,1,", "a case cost or a unit cost is needed"),
    ],
)
def test_row_errors_keep_their_line_and_message(dbsession, files, store, line, message) -> None:
    batch, rows = _populate(dbsession, files, store, HEADER + line)
    assert rows[2].status == "error"
    assert message in rows[2].message
    assert batch.status == "populated"


def test_duplicate_upcs_are_all_flagged(dbsession, files, store) -> None:
    text = HEADER + "\n".join(
        [
            f"{UPC_BUTTER},A-100,Butter,,,12,26.40",
            f"{UPC_SOAP},A-200,Soap,,,6,9.00",
            f"00{UPC_BUTTER},A-100,Butter again,,,12,30.00",  # the same code, spelled longer
        ]
    )
    _, rows = _populate(dbsession, files, store, text)
    assert rows[2].status == rows[4].status == "error"
    assert "on 2 lines of the file (first on line 2)" in rows[4].message
    assert rows[3].status == "unchanged"


def test_unit_cost_only_file_works_out_the_case_cost(dbsession, files, store) -> None:
    text = "Item UPC,Units Per Case,Unit Cost\n" + f"{UPC_BUTTER},12,2.10\n"
    _, rows = _populate(dbsession, files, store, text)
    assert rows[2].case_cost == Decimal("25.20")
    assert rows[2].status == "cost_up"


def test_a_vendor_mapping_reads_its_own_headers(dbsession, files, store) -> None:
    text = "Barcode,Our Pack,Net Case\n" + f"{UPC_BUTTER},12,24.00\n"
    _, rows = _populate(
        dbsession, files, store, text, mapping={"Our Pack": "case_size", "Net Case": "case_cost"}
    )
    assert rows[2].status == "unchanged"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER, "no rows"),
        ("Description,Pack\nThing,1\n", "UPC"),
        (b"\x00\x01\x02garbage" * 50, "catalog.csv"),
    ],
)
def test_populate_refuses_unreadable_files(files, store, text, message) -> None:
    batch = make_batch(store["data_set"], files, HEADER + "1,2\n", store["acme"])
    files.write(batch.input_key, text.encode() if isinstance(text, str) else text)
    with pytest.raises(BatchError, match=message):
        handler.populate(batch, files)


def test_execute_changes_costs_and_records_history(dbsession, files, store) -> None:
    user = make_user(dbsession)
    text = HEADER + "\n".join(
        [
            f"{UPC_BUTTER},A-100,Butter,,,12,26.40",
            f"{UPC_SOAP},A-201,Soap,,,6,6.00",
            f"{UPC_MILK},A-300,Milk,,,4,12.00",
            f"{UPC_NEW},A-400,New thing,Brand,1 ea,2,5.00",
            f"{UPC_OTHER_VENDOR},A-500,Other,,,10,11.00",
        ]
    )
    batch, _ = _populate(dbsession, files, store, text, new_items="add")
    summary = handler.execute(batch, user)
    dbsession.flush()
    assert summary["costs_updated"] == 2
    assert summary["new_costs"] == 1
    assert summary["new_items_added"] == 1
    butter = dbsession.scalars(
        select(ProductCost).where(ProductCost.product_id == store["butter"].id)
    ).one()
    assert (butter.case_cost, butter.unit_cost) == (Decimal("26.40"), Decimal("2.2000"))
    soap = dbsession.scalars(
        select(ProductCost).where(ProductCost.product_id == store["soap"].id)
    ).one()
    assert soap.vendor_item_code == "A-201"
    new = dbsession.scalars(select(Product).where(Product.upc == UPC_NEW.zfill(14))).one()
    assert new.description == "New thing"
    assert new.regular_price is None
    new_cost = dbsession.scalars(select(ProductCost).where(ProductCost.product_id == new.id)).one()
    assert new_cost.preferred
    assert new_cost.vendor_id == store["acme"].id
    other_costs = dbsession.scalars(
        select(ProductCost).where(ProductCost.product_id == store["other"].id)
    ).all()
    assert sorted(cost.preferred for cost in other_costs) == [False, True]  # BETA stays
    history = dbsession.scalars(select(ProductChange).order_by(ProductChange.id)).all()
    by_product = {entry.product_id: entry for entry in history}
    assert set(by_product) == {store["butter"].id, store["soap"].id, store["other"].id, new.id}
    assert by_product[store["butter"].id].old_unit_cost == Decimal("2.0000")
    assert by_product[store["butter"].id].new_unit_cost == Decimal("2.2000")
    assert all(e.batch_id == batch.id and e.changed_by_id == user.id for e in history)
    # One change log: each change names its field, the batch's row and what made it.
    fields = sorted((e.product_id, e.field) for e in history)
    assert fields == sorted(
        [
            (store["butter"].id, "cost"),
            (store["soap"].id, "cost"),
            (store["soap"].id, "vendor_item_code"),
            (store["other"].id, "cost"),
            (new.id, "added"),
            (new.id, "cost"),
        ]
    )
    assert summary["history_rows"] == len(history)
    code = next(e for e in history if e.field == "vendor_item_code")
    assert (code.old_value, code.new_value, code.vendor_id) == ("A-200", "A-201", store["acme"].id)
    assert code.reason is None  # a line's message is about its cost
    added = next(e for e in history if e.field == "added")
    assert added.new_value == "New thing"
    lines = dict(dbsession.execute(select(CatalogBatchRow.id, CatalogBatchRow.line)).all())
    assert sorted(lines[e.batch_row_id] for e in history) == [2, 3, 3, 5, 5, 6]
    assert {(e.source, e.job_id, e.command) for e in history} == {("batch", None, None)}
    assert batch.status == "executed"
    assert batch.executed_by_id == user.id
    assert preferred_costs_out_of_step(dbsession) == []


def test_skipped_new_items_are_not_added(dbsession, files, store) -> None:
    batch, _ = _populate(
        dbsession, files, store, HEADER + f"{UPC_NEW},A-400,New,,,2,5.00", new_items="skip"
    )
    summary = handler.execute(batch, None)
    assert summary["new_items_skipped"] == 1
    assert dbsession.scalars(select(Product).where(Product.upc == UPC_NEW.zfill(14))).all() == []


def test_errors_must_be_acknowledged_before_execute(dbsession, files, store) -> None:
    batch, _ = _populate(dbsession, files, store, HEADER + "abc,X,Bad,,,1,1.00")
    assert "acknowledge" in " ".join(handler.why_not_executable(batch))
    with pytest.raises(BatchError, match="acknowledge"):
        handler.execute(batch, None)
    handler.acknowledge(batch, None)
    assert handler.why_not_executable(batch) == []
    assert handler.execute(batch, None)["errors_skipped"] == 1


def test_a_batch_executes_once(dbsession, files, store) -> None:
    batch, _ = _populate(dbsession, files, store, HEADER + f"{UPC_BUTTER},A-100,B,,,12,26.40")
    handler.execute(batch, None)
    with pytest.raises(BatchError, match="will not run again"):
        handler.execute(batch, None)
    applied_on = batch.executed_at.astimezone().date().isoformat()
    assert handler.why_not_executable(batch) == [
        f"This batch was applied on {applied_on}; it will not run again."
    ]
    # Even past the status check, the database refuses a second execution row.
    batch.status = "populated"
    with pytest.raises(BatchError, match="will not run again"):
        handler.execute(batch, None)
    assert dbsession.scalars(select(BatchExecution)).all() != []
    assert len(dbsession.scalars(select(ProductChange)).all()) == 1


def test_refresh_row_compares_again(dbsession, files, store) -> None:
    batch, rows = _populate(dbsession, files, store, HEADER + f"{UPC_BUTTER},A-100,B,,,12,26.40")
    assert rows[2].status == "cost_up"
    cost = dbsession.scalars(
        select(ProductCost).where(ProductCost.product_id == store["butter"].id)
    ).one()
    cost.case_cost, cost.unit_cost = Decimal("26.40"), Decimal("2.2000")
    dbsession.flush()
    handler.refresh_row(batch, rows[2].id)
    dbsession.expire_all()
    assert dbsession.get(CatalogBatchRow, rows[2].id).status == "unchanged"


def test_delete_removes_rows_and_names_the_files_folder_but_keeps_executed_batches(
    dbsession, files, store
) -> None:
    batch, _ = _populate(dbsession, files, store, HEADER + f"{UPC_BUTTER},A-100,B,,,12,26.40")
    folder = f"batches/catalog/{batch.id}"
    assert files.list(folder) != []
    assert handler.delete(batch) == folder
    assert dbsession.scalars(select(CatalogBatchRow)).all() == []
    assert dbsession.scalars(select(Upload).where(Upload.key.startswith(folder))).all() == []
    executed, _ = _populate(dbsession, files, store, HEADER + f"{UPC_SOAP},A-200,S,,,6,9.00")
    handler.execute(executed, None)
    with pytest.raises(BatchError, match="kept"):
        handler.delete(executed)


def test_duplicates_are_looked_up_in_slices(dbsession, files, store, monkeypatch) -> None:
    monkeypatch.setattr("poser.tasks.batches.catalog.compare.DUPLICATE_SLICE", 1)
    text = HEADER + "\n".join(
        [
            f"{UPC_BUTTER},A-100,Butter,,,12,26.40",
            f"{UPC_SOAP},A-200,Soap,,,6,9.00",
            f"{UPC_BUTTER},A-100,Butter,,,12,26.40",
            f"{UPC_SOAP},A-200,Soap,,,6,9.00",
            f"{UPC_MILK},A-300,Milk,,,4,12.00",
        ]
    )
    _, rows = _populate(dbsession, files, store, text)
    assert [rows[line].status for line in range(2, 7)] == ["error"] * 4 + ["unchanged"]
    assert "first on line 3" in rows[5].message
