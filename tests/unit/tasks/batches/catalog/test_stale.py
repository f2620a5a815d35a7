"""A catalog batch whose rows no longer compare as they did when its file was read
(another batch was applied, or a cost edited, since) is refused when it is applied:
a message that says how many rows and what to do, and nothing applied."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from poser.models.orm import Batch, BatchExecution, Product, ProductChange, ProductCost
from poser.tasks.batches import BatchError, get_handler
from tests.catalog_support import (
    HEADER,
    UPC_BUTTER,
    UPC_MILK,
    UPC_NEW,
    UPC_OTHER_VENDOR,
    UPC_SOAP,
    make_batch,
)

handler = get_handler("catalog")

# Line 2: butter, cost up; 3: soap, cost down; 4: the product BETA alone sells, a new
# cost for ACME; 5: a new item.
FILE = HEADER + (
    f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n"
    f"{UPC_SOAP},A-200,Soap,,,6,6.00\n"
    f"{UPC_OTHER_VENDOR},A-900,Other,,,10,11.00\n"
    f"{UPC_NEW},A-400,New thing,Brand,1 ea,2,5.00\n"
)


def _read(files: Any, store: dict[str, Any], text: str = FILE, **options: Any) -> Batch:
    batch = make_batch(store["data_set"], files, text, store["acme"], new_items="add", **options)
    handler.populate(batch, files)
    return batch


def _state(dbsession: Session) -> dict[str, Any]:
    """All an apply may change."""
    dbsession.flush()
    dbsession.expire_all()
    costs = dbsession.execute(
        select(
            ProductCost.id,
            ProductCost.vendor_id,
            ProductCost.unit_cost,
            ProductCost.case_size,
            ProductCost.vendor_item_code,
        ).order_by(ProductCost.id)
    )
    return {
        "costs": [tuple(row) for row in costs],
        "products": dbsession.scalars(select(Product.upc).order_by(Product.id)).all(),
        "history": dbsession.scalar(select(func.count()).select_from(ProductChange)),
        "executions": dbsession.scalar(select(func.count()).select_from(BatchExecution)),
    }


def _cost_of(store: dict[str, Any], name: str) -> Any:
    return update(ProductCost).where(
        ProductCost.product_id == store[name].id, ProductCost.vendor_id == store["acme"].id
    )


def _refused(dbsession: Session, batch: Batch) -> str:
    """Apply the batch as the execute job does (in a savepoint here, the job's
    transaction there): refused, with nothing applied. The message."""
    before = _state(dbsession)
    with pytest.raises(BatchError) as refused, dbsession.begin_nested():
        handler.execute(batch, None)
    dbsession.refresh(batch)
    assert batch.status == "populated"
    assert _state(dbsession) == before
    return str(refused.value)


def _another_batch_applied(dbsession: Session, files: Any, store: dict[str, Any]) -> None:
    """The same vendor's file, read after the first and applied before it."""
    handler.execute(_read(files, store), None)


def _butter_edited(dbsession: Session, files: Any, store: dict[str, Any]) -> None:
    dbsession.execute(_cost_of(store, "butter").values(unit_cost=Decimal("2.10")))


def _soap_pack_edited(dbsession: Session, files: Any, store: dict[str, Any]) -> None:
    dbsession.execute(_cost_of(store, "soap").values(case_size=12, case_cost=Decimal("18.00")))


def _acme_cost_added(dbsession: Session, files: Any, store: dict[str, Any]) -> None:
    """The row says "new cost", but the vendor has a cost for the product now: applied,
    it would break the unique key on product and vendor (an "unexpected error")."""
    dbsession.add(
        ProductCost(
            data_set_id=store["data_set"].id,
            product_id=store["other"].id,
            vendor_id=store["acme"].id,
            case_size=10,
            case_cost=Decimal("11.00"),
            unit_cost=Decimal("1.1000"),
        )
    )


def _new_item_added(dbsession: Session, files: Any, store: dict[str, Any]) -> None:
    dbsession.add(
        Product(data_set_id=store["data_set"].id, upc=UPC_NEW.zfill(14), description="New")
    )


def _butter_cost_removed(dbsession: Session, files: Any, store: dict[str, Any]) -> None:
    dbsession.execute(
        delete(ProductCost).where(
            ProductCost.product_id == store["butter"].id, ProductCost.vendor_id == store["acme"].id
        )
    )


def _soap_removed(dbsession: Session, files: Any, store: dict[str, Any]) -> None:
    dbsession.execute(delete(Product).where(Product.id == store["soap"].id))


CHANGES: dict[str, tuple[Callable[..., None], int, str]] = {
    "another batch applied": (_another_batch_applied, 4, "lines 2, 3, 4 and 5"),
    "a cost edited": (_butter_edited, 1, "line 2"),
    "a pack size edited": (_soap_pack_edited, 1, "line 3"),
    "the vendor's cost added": (_acme_cost_added, 1, "line 4"),
    "the new item added": (_new_item_added, 1, "line 5"),
    "the vendor's cost removed": (_butter_cost_removed, 1, "line 2"),
    "the product removed": (_soap_removed, 1, "line 3"),
}


@pytest.mark.parametrize(("change", "stale", "lines"), CHANGES.values(), ids=CHANGES.keys())
def test_a_batch_the_catalog_changed_under_is_refused_and_nothing_applied(
    dbsession, files, store, change, stale, lines
) -> None:
    batch = _read(files, store)
    change(dbsession, files, store)
    message = _refused(dbsession, batch)
    rows = "1 row" if stale == 1 else f"{stale} rows"
    compares = (
        "compares with the catalog as it" if stale == 1 else "compare with the catalog as they"
    )
    assert message == (
        f"{rows} of batch #{batch.id} ({lines} of its file) no longer {compares} did when "
        "the file was read: another batch was applied, or costs were edited, since. "
        "Nothing was applied. Upload the file again: it is read and compared with the "
        "catalog as it is now; review it, then apply it."
    )


def test_the_file_read_again_applies(dbsession, files, store) -> None:
    stale = _read(files, store)
    _another_batch_applied(dbsession, files, store)
    _refused(dbsession, stale)
    again = _read(files, store)  # the same file, uploaded again
    assert again.status_counts == {"unchanged": 4}
    assert handler.execute(again, None)["unchanged"] == 4


def test_a_change_to_other_products_or_vendors_does_not_stop_it(dbsession, files, store) -> None:
    batch = _read(files, store)
    dbsession.execute(_cost_of(store, "milk").values(unit_cost=Decimal("9.99")))
    dbsession.execute(
        update(ProductCost)
        .where(ProductCost.vendor_id == store["beta"].id)
        .values(unit_cost=Decimal("0.50"))
    )
    summary = handler.execute(batch, None)
    assert (summary["costs_updated"], summary["new_costs"], summary["new_items_added"]) == (
        2,
        1,
        1,
    )


def test_rows_in_error_are_skipped_and_not_compared(dbsession, files, store) -> None:
    text = FILE + f"{UPC_MILK},A-300,Milk,,,4,lots\n"  # line 6: an error
    batch = _read(files, store, text)
    batch.acknowledged_at = batch.populated_at
    dbsession.execute(_cost_of(store, "milk").values(unit_cost=Decimal("9.99")))
    assert handler.execute(batch, None)["errors_skipped"] == 1


def _upc(number: int) -> str:
    """A UPC-A of ``number``, with its check digit."""
    digits = f"{number:011d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def test_the_message_names_the_first_lines_of_many(dbsession, files, store) -> None:
    upcs = [_upc(41_000_000 + n) for n in range(7)]
    text = HEADER + "".join(f"{upc},N-{n},Item {n},,,1,1.00\n" for n, upc in enumerate(upcs))
    batch = _read(files, store, text)
    assert batch.status_counts == {"new_item": 7}
    for upc in upcs:  # someone adds them by hand meanwhile
        dbsession.add(Product(data_set_id=store["data_set"].id, upc=upc.zfill(14), description=upc))
    message = _refused(dbsession, batch)
    assert message.startswith(
        f"7 rows of batch #{batch.id} (lines 2, 3, 4, 5, 6 and more of its file) no longer "
        "compare with the catalog as they did when the file was read"
    )
