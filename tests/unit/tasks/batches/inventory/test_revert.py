"""Reverting an applied count: on-hand put back, a product moved since left alone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from poser.models.orm import ProductChange
from poser.tasks.batches import BatchError
from poser.tasks.batches.inventory.revert import make_revert, why_not_revertible
from tests.catalog_support import UPC_BUTTER, UPC_SOAP
from tests.inventory_support import count, handler, on_hand, rows, set_on_hand


def test_a_revert_puts_on_hand_back_and_leaves_a_moved_product(dbsession, files, store) -> None:
    set_on_hand(dbsession, store, butter="10", soap="4", milk="5")
    batch = count(
        store, files, f"{UPC_BUTTER},7\n{UPC_SOAP},6\n", mode="zero_rest", departments=[1, 2]
    )
    handler.execute(batch, None)
    assert on_hand(dbsession, store["milk"]) == 0
    set_on_hand(dbsession, store, soap="5")  # sold one since: left as it is

    revert = make_revert(batch, None)
    by_product = {row.product_id: row for row in rows(dbsession, revert)}
    assert by_product[store["soap"].id].excluded
    handler.execute(revert, None)
    assert on_hand(dbsession, store["butter"]) == 10
    assert on_hand(dbsession, store["milk"]) == 5
    assert on_hand(dbsession, store["soap"]) == 5
    change = dbsession.scalars(
        select(ProductChange).where(
            ProductChange.product_id == store["milk"].id, ProductChange.batch_id == revert.id
        )
    ).one()
    assert (change.old_value, change.new_value) == ("0", "5")
    assert change.reason == f"Undoes batch #{batch.id}"
    assert "already reverted" in why_not_revertible(batch)


def test_a_count_not_applied_cannot_be_reverted(dbsession, files, store) -> None:
    batch = count(store, files, f"{UPC_BUTTER},7\n")
    with pytest.raises(BatchError, match="has not been applied"):
        make_revert(batch, None)
