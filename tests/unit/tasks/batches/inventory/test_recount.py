"""A recount file: the products it counts are counted by it alone, their earlier lines
(of other files, or typed) replaced; the count's other products are as they were."""

from __future__ import annotations

from poser.tasks.batches.inventory.counting import add_file, add_typed_line
from poser.tasks.batches.inventory.handler import InventoryHandler
from tests.catalog_support import UPC_BUTTER, UPC_MILK, UPC_SOAP, upload_text
from tests.inventory_support import count, handler, rows, set_on_hand

B, S, M = (upc.lstrip("0") for upc in (UPC_BUTTER, UPC_SOAP, UPC_MILK))


def _recount(store, files, batch, body: str, name: str = "recount.txt") -> None:
    data_set = store["data_set"]
    add_file(batch, files, upload_text(data_set, files, body, name), "units", recount=True)
    handler.populate(batch, files)


def _counted(dbsession, batch) -> dict[str, object]:
    """Each product's count, from the row that holds it (not merged, replaced or in error)."""
    return {
        row.upc_text.lstrip("0"): row.counted_units
        for row in rows(dbsession, batch)
        if row.status not in ("merged", "replaced", "error")
    }


def test_a_recount_replaces_the_earlier_lines_of_its_products_only(dbsession, files, store) -> None:
    set_on_hand(dbsession, store, butter="10", soap="3", milk="5")
    batch = count(
        store,
        files,
        f"{UPC_BUTTER},30\n{UPC_SOAP},4\n",  # butter 30 by mistake
        f"{UPC_BUTTER},2\n{UPC_MILK},4\n",  # two more butter elsewhere
    )
    assert _counted(dbsession, batch)[B] == 32

    _recount(store, files, batch, f"{UPC_BUTTER} 12\n")

    assert _counted(dbsession, batch) == {B: 12, S: 4, M: 4}
    replaced = [row for row in rows(dbsession, batch) if row.status == "replaced"]
    assert [(row.file_name, row.line) for row in replaced] == [("scan1.csv", 1), ("scan2.csv", 1)]
    assert {row.message for row in replaced} == {"Replaced by its recount in recount.txt"}
    butter = next(row for row in rows(dbsession, batch) if row.file_name == "recount.txt")
    assert (butter.new_on_hand, butter.variance_units, butter.status) == (12, 2, "increase")
    assert batch.status_counts["replaced"] == 2


def test_lines_of_recounts_add_up_and_replace_a_typed_line(dbsession, files, store) -> None:
    set_on_hand(dbsession, store, soap="3")
    batch = count(store, files, f"{UPC_SOAP},1\n")
    add_typed_line(batch, UPC_SOAP, "9", "units", "")
    handler.populate(batch, files)
    assert _counted(dbsession, batch)[S] == 10

    _recount(store, files, batch, f"{UPC_SOAP}\n{UPC_SOAP}\n", "aisle1.txt")
    _recount(store, files, batch, f"{UPC_SOAP},5\n", "aisle2.txt")

    assert _counted(dbsession, batch)[S] == 7
    assert sorted(row.file_name for row in rows(dbsession, batch) if row.status == "replaced") == [
        "",  # the typed line
        "scan1.csv",
    ]


def test_a_recount_line_in_error_replaces_nothing(dbsession, files, store) -> None:
    batch = count(store, files, f"{UPC_MILK},4\n")
    _recount(store, files, batch, f"{UPC_MILK},-2\n{UPC_SOAP},1\n")
    assert _counted(dbsession, batch)[M] == 4
    assert _counted(dbsession, batch)[S] == 1
    assert not [row for row in rows(dbsession, batch) if row.status == "replaced"]


def test_applying_a_recounted_count_sets_the_recount(dbsession, files, store) -> None:
    set_on_hand(dbsession, store, butter="10")
    batch = count(store, files, f"{UPC_BUTTER},30\n")
    _recount(store, files, batch, f"{UPC_BUTTER},11\n")
    assert isinstance(handler, InventoryHandler)
    handler.execute(batch, None)
    dbsession.expire(store["butter"])
    assert store["butter"].on_hand == 11
