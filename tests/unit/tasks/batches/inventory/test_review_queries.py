"""An inventory count's review queries (poser.models.data_extraction.inventory_review):
subtotals by department and the recount list."""

from __future__ import annotations

from decimal import Decimal

from poser.models.data_extraction.inventory_review import department_subtotals, recount_rows
from tests.catalog_support import UPC_BUTTER, UPC_MILK, UPC_SOAP
from tests.inventory_support import count, set_on_hand


def test_subtotals_by_department_and_the_recount_list(dbsession, files, store) -> None:
    set_on_hand(dbsession, store, butter="10", milk="5", soap="2")
    batch = count(
        store,
        files,
        f"UPC,Qty,Aisle\n{UPC_BUTTER},7,A1\n{UPC_MILK},5,A2\n{UPC_SOAP},30,B1\n",
        threshold_units="5",
    )
    dbsession.flush()
    dairy, health = dbsession.execute(department_subtotals(batch.id)).all()
    assert (dairy.department, dairy.rows, dairy.flagged) == ("Dairy", 2, 0)
    assert Decimal(str(dairy.variance_units)) == -3
    assert Decimal(str(dairy.variance_cost)) == Decimal("-6.00")
    assert (health.department, health.flagged) == ("Health", 1)
    assert Decimal(str(health.variance_retail)) == Decimal("140.00")
    recount = dbsession.execute(recount_rows(batch.id)).all()
    assert [(row.upc, row.section, row.description) for row in recount] == [
        (UPC_SOAP, "B1", "Soap")
    ]
