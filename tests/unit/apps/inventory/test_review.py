"""The inventory review's own logic: which file a form's lines are of, the sentences of
a revert, the subtotals' lines and total, and the actions the review declares."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from poser.apps.inventory import review, variance
from poser.models.orm import Batch
from poser.storage.backends import local_store
from poser.tasks.batches import BatchError
from poser.tasks.batches.inventory.review import exclude_lines
from tests.catalog_support import UPC_BUTTER, UPC_MILK, UPC_SOAP, make_catalog
from tests.factories import make_data_set
from tests.inventory_support import count, set_on_hand


def _batch(files: list[str], typed: bool = False) -> Batch:
    return Batch(
        batch_type="inventory",
        parameters={"files": [{"name": name} for name in files], "typed": [{}] if typed else []},
    )


def test_the_forms_name_a_file_by_its_place_and_the_typed_lines_in_words() -> None:
    batch = _batch(["a.csv", "b.csv"], typed=True)
    assert review._sources(batch) == [("1", "a.csv"), ("2", "b.csv"), ("3", "Lines typed in")]
    assert review._source(batch, {"source": "2"}) == "b.csv"
    assert review._source(batch, {"source": "3"}) == ""  # the typed lines
    assert review._source(batch, {"source": ""}) is None
    for bad in ("0", "4", "-1", "b.csv", "1e3", "٣"):
        with pytest.raises(BatchError, match="Choose the file"):
            review._source(batch, {"source": bad})


def test_a_revert_says_what_it_did_in_words() -> None:
    batch = Batch(id=9, reverts_batch_id=4, execution_summary={"on_hand_set": 1})
    assert review.reverted(batch) == (
        "Batch #9 undoes batch #4: it put back the on-hand of 1 product as it was before it."
    )
    batch.execution_summary = {"on_hand_set": 1200}
    assert "on-hand of 1,200 products" in review.reverted(batch)


def test_a_subtotal_reads_with_signs_units_as_counted_and_money_to_the_cent() -> None:
    line = variance.Subtotal("1 Dairy", 1234, 2, Decimal("-4.500"), Decimal("-16"), Decimal("20.5"))
    assert line.cells() == {
        "rows": "1,234",
        "flagged": "2",
        "units": "-4.5",
        "cost": "-16.00",
        "retail": "+20.50",
    }


@pytest.fixture
def shop(dbsession: Any) -> dict[str, Any]:
    data_set = make_data_set(dbsession)
    return {"data_set": data_set, **make_catalog(dbsession, data_set)}


def test_subtotals_add_up_to_their_total_and_leave_out_excluded_rows(
    dbsession, shop, tmp_path
) -> None:
    set_on_hand(dbsession, shop, butter="10", milk="20", soap="5")
    files = local_store(tmp_path)
    batch = count(shop, files, f"{UPC_BUTTER},14\n{UPC_MILK},12\n{UPC_SOAP},1\nabc,3\n")
    ctx = SimpleNamespace(dbsession=dbsession)
    lines, total = variance.subtotals(ctx, batch)
    assert [(line.department, line.rows, line.units, line.cost) for line in lines] == [
        ("1 Dairy", 2, Decimal(-4), Decimal("-16.00")),
        ("2 Health", 1, Decimal(-4), Decimal("-6.00")),
    ]
    assert (total.rows, total.units, total.cost, total.retail) == (
        3,
        Decimal(-8),
        Decimal("-22.00"),
        Decimal("-40.00"),
    )
    exclude_lines(batch, "2", None, "recount", None)  # milk
    _, total = variance.subtotals(ctx, batch)
    assert (total.rows, total.cost) == (2, Decimal("2.00"))
    assert review.planned(batch) == [
        f"The on-hand of 2 products put back as it was before batch #{batch.id}"
    ]


def test_the_review_control_offers_its_forms_as_actions_taking_edit() -> None:
    control = next(w for w in review.review_widgets() if w.name == "control")
    actions = control.actions()
    assert sorted(actions) == ["exclude_flagged", "exclude_lines", "exclude_moved", "include"]
    assert {(a.permission, a.methods) for a in actions.values()} == {("edit", ("POST",))}
    recount = next(w for w in review.review_widgets() if w.name == "recount")
    assert {(a.permission, a.methods) for a in recount.actions().values()} == {("view", ("GET",))}
    assert [w.name for w in review.report_widgets()] == ["departments", "revert"]
