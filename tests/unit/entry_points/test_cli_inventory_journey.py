"""The inventory count's journey from the terminal, as issue 21 has it done in the
browser: two departments counted from two scanner files and a typed line, the variances
in money, the flagged item recounted from the recount list, the count applied, the new
on-hand on the product's history with the batch and who, and the valuation written as
CSV and Excel."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session

# main first: it registers the command modules, which import it back.
from poser.entry_points.main import cli
from poser.models.data_extraction.history import product_timeline
from poser.models.orm import Product
from tests.catalog_support import UPC_BUTTER, UPC_MILK, UPC_OTHER_VENDOR, UPC_SOAP
from tests.unit.entry_points.test_cli_inventory import _file, _on_hand, make_store, write_ini

pytestmark = pytest.mark.usefixtures("clean_environ", "session_factory")


@pytest.fixture
def ini(tmp_path: Path, database_url: str) -> str:
    return write_ini(tmp_path, database_url)


@pytest.fixture
def store(dbsession: Session) -> dict[str, Any]:
    return make_store(dbsession)


def poser(ini: str, *args: str | Path | int) -> Result:
    result = CliRunner().invoke(cli, ["-c", ini, *map(str, args)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_count_recount_apply_and_value_from_the_terminal(ini, store, dbsession, tmp_path) -> None:
    # Dairy (butter 10, milk 5 on hand) from one scanner, Health (soap 2) from another.
    dairy = _file(tmp_path, "dairy.csv", f"UPC,Qty,Section\n{UPC_BUTTER},12,A1\n{UPC_MILK},40,A2\n")
    health = _file(tmp_path, "health.txt", f"{UPC_SOAP} 3\n")
    result = poser(
        ini, "inventory", "import", dairy, health, "--data-set", "Corner Shop",
        "--departments", "1,2", "--threshold-units", "10", "--user", "olga",
    )  # fmt: skip
    batch_id = int(result.stdout.split(":", 1)[0].removeprefix("batch "))
    # The item the scanners missed is typed in.
    result = poser(ini, "inventory", "line", batch_id, UPC_OTHER_VENDOR, "1", "--section", "B3",
                   "--user", "olga")  # fmt: skip
    assert f"batch {batch_id}: typed line 1, 1 unit of Other" in result.stdout
    out = result.stdout
    # Units, at cost (preferred unit cost) and at retail (5.00 each), as the page has them:
    # butter +2 x 2.00, milk +35 x 3.00; soap +1 x 1.50, the other item +1 x 1.00.
    assert "  1 Dairy        2        1    +37  +109.00    +185.00" in out, out
    assert "  2 Health       2        0     +2    +2.50     +10.00" in out, out
    assert "  Total          4        1    +39  +111.50    +195.00" in out, out
    assert "1 row flagged for recount" in out

    # The recount list goes to the scanner; what it counts comes back as a recount.
    recount_list = tmp_path / f"recount-batch-{batch_id}.txt"
    poser(ini, "inventory", "show", batch_id, "--recount-list", recount_list)
    upcs = recount_list.read_text().split()
    assert upcs == [UPC_MILK]
    recount = _file(tmp_path, "recount.csv", "".join(f"{upc},6\n" for upc in upcs))
    result = poser(ini, "inventory", "recount", batch_id, recount, "--user", "olga")
    assert "Replaced by a recount     1" in result.stdout
    assert "  1 Dairy        2        0     +3    +7.00     +15.00" in result.stdout
    assert "0 rows flagged for recount" in result.stdout
    assert f"poser inventory apply {batch_id} --user olga\n" in result.stdout

    applied = poser(ini, "inventory", "apply", batch_id, "--user", "olga")
    # The change report is written as the web's apply writes it, and named.
    assert (
        f"inventory-batch-{batch_id}-changes.csv" in applied.stdout.partition("change report:")[2]
    )
    assert list((tmp_path / "app").rglob(f"inventory-batch-{batch_id}-changes.xlsx"))
    milk: Product = store["milk"]
    assert _on_hand(dbsession, milk) == 6
    newest = product_timeline(dbsession, milk.data_set_id, milk.id)[0]
    change = newest.change
    assert (change.field, change.old_value, change.new_value) == ("on_hand", "5", "6")
    assert (change.batch_id, newest.user, change.command) == (
        batch_id,
        "olga",
        "poser inventory apply",
    )

    result = poser(ini, "report", "run", "inventory_valuation", "--data-set", "Corner Shop",
                   "--user", "olga")  # fmt: skip
    assert "Inventory valuation: 3 rows" in result.stdout
    written = {path.suffix: path for path in (tmp_path / "app").rglob("inventory-valuation*")}
    assert {".csv", ".xlsx"} <= set(written)
    with written[".csv"].open(encoding="utf-8-sig", newline="") as stream:
        rows = {row["Department"]: row for row in csv.DictReader(stream)}
    # Dairy: butter 12 x 2.00 + milk 6 x 3.00; Health: soap 3 x 1.50 + the other 1 x 1.00.
    figures = {
        name: tuple(Decimal(row[column]) for column in ("Units on hand", "Value at cost"))
        for name, row in rows.items()
    }
    assert figures["Dairy"] == (18, Decimal("42.00"))
    assert figures["Health"] == (4, Decimal("5.50"))
    assert Decimal(rows["All departments"]["Value at retail"]) == Decimal("110.00")
    for path in written.values():
        assert path.name in result.stdout  # where the operator finds them
