"""The scanner files of tests/corpus/inventory through `poser inventory import --execute`
on the suite's database, each held to its row of the corpus's table (``CASES``): a file
read whole is applied with the quantities it holds; a file with lines at fault stops
the apply (exit 3) and each of those rows says why; a file refused whole exits 1 with
one line naming it. Never a traceback, and a file not applied changes nothing: on-hand
as it was, no product history."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.entry_points.cli_inventory import EXIT_ROWS_IN_ERROR

# main first: it registers the command modules, which import it back.
from poser.entry_points.main import cli
from poser.models.orm import Batch, InventoryBatchRow, Product, ProductChange
from tests.unit.entry_points.test_cli_catalog import _refused
from tests.unit.entry_points.test_cli_inventory import make_store, write_ini
from tests.unit.tasks.batches.inventory.test_inventory_corpus import CASES, CORPUS, Case

pytestmark = pytest.mark.usefixtures("clean_environ", "session_factory")
#: Words of the code, not of the operator's, that a message must never show.
INTERNAL = ("Traceback", "BatchError", "UploadError", "Exception", "None", "\\x00", "poser.")


@pytest.fixture
def ini(tmp_path: Path, database_url: str) -> str:
    return write_ini(tmp_path, database_url)


@pytest.fixture
def store(dbsession: Session) -> dict[str, Any]:
    """make_store's shop, its fourth product ("other") sold by weight."""
    rows = make_store(dbsession)
    rows["other"].size = "lb"
    dbsession.commit()
    return rows


def _import(ini: str, name: str) -> Result:
    arguments = ["-c", ini, "inventory", "import", str(CORPUS / name)]
    arguments += ["--data-set", "Corner Shop", "--mode", "replace", "--execute", "--user", "olga"]
    return CliRunner().invoke(cli, arguments, catch_exceptions=False)


def _on_hand(dbsession: Session, store: dict[str, Any]) -> dict[str, Decimal]:
    dbsession.rollback()  # a new snapshot: the command committed since
    names = {store[name].id: name for name in ("butter", "milk", "soap", "other")}
    rows = dbsession.execute(select(Product.id, Product.on_hand).where(Product.id.in_(names)))
    return {names[product_id]: on_hand for product_id, on_hand in rows}


def _nothing_applied(dbsession: Session, store: dict[str, Any], before: dict) -> None:
    assert _on_hand(dbsession, store) == before
    assert dbsession.scalar(select(func.count()).select_from(ProductChange)) == 0
    assert "executed" not in set(dbsession.scalars(select(Batch.status)))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_scanner_file_through_the_command(ini, store, dbsession, case: Case) -> None:
    before = _on_hand(dbsession, store)
    result = _import(ini, case.name)
    for words in INTERNAL:
        assert words not in result.output, result.output
    if case.refused:
        _refused(result, 1, case.upload_refused or case.refused)
        assert case.name in result.stderr
        _nothing_applied(dbsession, store, before)
        return
    if case.errors:
        assert result.exit_code == EXIT_ROWS_IN_ERROR, result.output
        assert f"{len(case.errors)} row(s) are in error, so nothing was applied" in result.stderr
        dbsession.rollback()  # a new snapshot: the command committed since
        in_error = dbsession.execute(
            select(InventoryBatchRow.line, InventoryBatchRow.message).where(
                InventoryBatchRow.status == "error"
            )
        )
        assert dict(in_error.all()) == case.errors
        _nothing_applied(dbsession, store, before)
        return
    assert result.exit_code == 0, result.output
    assert "applied" in result.stdout
    after = {name: Decimal(value) for name, value in case.on_hand.items()}
    assert _on_hand(dbsession, store) == {**before, **after}
