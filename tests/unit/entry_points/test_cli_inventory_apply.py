"""`poser inventory apply` and `revert`: a count made by `import` applied once and
undone from the terminal, and every refusal one line on stderr with a non-zero exit,
nothing changed."""

# The fixtures (ini, store, flagged) are the show and recount tests', imported by name:
# each test's parameter of the same name is pytest's, not a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from poser.entry_points.cli_inventory import EXIT_ROWS_IN_ERROR
from poser.models.orm import Batch, InventoryBatchRow, ProductChange
from tests.catalog_support import UPC_BUTTER, UPC_SOAP
from tests.factories import make_data_set, make_user
from tests.unit.entry_points.test_cli_catalog import _refused
from tests.unit.entry_points.test_cli_inventory import _file, _on_hand
from tests.unit.entry_points.test_cli_inventory_counts import (  # noqa: F401
    _add_member,
    _batch,
    _changes,
    _count,
    flagged,
    ini,
    inventory,
    store,
)

pytestmark = pytest.mark.usefixtures("clean_environ", "session_factory")


# -- apply ----------------------------------------------------------------------------


def test_apply_sets_on_hand_once_and_says_who(ini, store, flagged, dbsession) -> None:
    result = inventory(ini, "apply", flagged, "--user", "olga")
    assert result.exit_code == EXIT_ROWS_IN_ERROR
    assert "1 row(s) are flagged for recount" in result.stderr
    assert _on_hand(dbsession, store["butter"]) == 10
    result = inventory(ini, "apply", flagged, "--apply-flagged", "--user", "olga")
    assert result.exit_code == 0, result.output
    assert f"batch {flagged}: applied" in result.stdout
    assert _on_hand(dbsession, store["butter"]) == 90
    change = dbsession.scalars(
        select(ProductChange).where(ProductChange.product_id == store["butter"].id)
    ).one()
    olga = _batch(dbsession, flagged).executed_by_id
    assert (change.batch_id, change.changed_by_id, change.command) == (
        flagged,
        olga,
        "poser inventory apply",
    )
    again = inventory(ini, "apply", flagged, "--apply-flagged", "--user", "olga")
    _refused(again, 1, f"batch {flagged}: This batch was applied on")
    assert _changes(dbsession) == 2  # butter and soap, once


def test_a_viewer_or_another_data_sets_owner_may_not_apply(ini, store, flagged, dbsession) -> None:
    _add_member(dbsession, make_user(dbsession, "vera"), "viewer")
    make_data_set(dbsession, "Other Shop", members={make_user(dbsession, "otto"): "owner"})
    for name in ("vera", "otto"):
        result = inventory(ini, "apply", flagged, "--apply-flagged", "--user", name)
        _refused(result, 1, f"{name} may not change data set {store['data_set'].id}")
    assert _on_hand(dbsession, store["butter"]) == 10
    assert _batch(dbsession, flagged).status == "populated"


def test_a_variance_only_count_is_not_applied(ini, store, dbsession, tmp_path) -> None:
    batch_id = _count(ini, tmp_path, f"{UPC_BUTTER},4\n", "--mode", "variance_only")
    result = inventory(ini, "apply", batch_id)
    _refused(result, 1, "nothing is applied")
    assert _on_hand(dbsession, store["butter"]) == 10


# -- revert ---------------------------------------------------------------------------


def test_revert_puts_on_hand_back_once(ini, store, dbsession, tmp_path) -> None:
    batch_id = _count(ini, tmp_path, f"{UPC_BUTTER},4\n{UPC_SOAP},7\n")
    _refused(inventory(ini, "revert", batch_id), 1, "has not been applied")
    assert inventory(ini, "apply", batch_id, "--user", "olga").exit_code == 0
    assert _on_hand(dbsession, store["butter"]) == 4
    result = inventory(ini, "revert", batch_id, "--user", "olga")
    assert result.exit_code == 0, result.output
    assert f"undoes batch #{batch_id}: it put back the on-hand of 2 products" in result.stdout
    assert _on_hand(dbsession, store["butter"]) == 10
    assert _on_hand(dbsession, store["soap"]) == 2
    undo = dbsession.scalars(select(Batch).where(Batch.reverts_batch_id == batch_id)).one()
    commands = dbsession.scalars(
        select(ProductChange.command).where(ProductChange.batch_id == undo.id)
    ).all()
    assert commands == ["poser inventory revert"] * 2
    _refused(inventory(ini, "revert", batch_id), 1, f"already reverted, by batch #{undo.id}")
    _refused(inventory(ini, "revert", undo.id), 1, f"undoes batch #{batch_id}")
    recount = _file(tmp_path, "r.csv", f"{UPC_BUTTER},1\n")
    _refused(inventory(ini, "recount", undo.id, recount), 1, "takes no more files")
    assert _on_hand(dbsession, store["butter"]) == 10


def test_a_viewer_may_not_revert(ini, store, dbsession, tmp_path) -> None:
    batch_id = _count(ini, tmp_path, f"{UPC_BUTTER},4\n")
    assert inventory(ini, "apply", batch_id).exit_code == 0
    _add_member(dbsession, make_user(dbsession, "vera"), "viewer")
    _refused(inventory(ini, "revert", batch_id, "--user", "vera"), 1, "vera may not change")
    assert _on_hand(dbsession, store["butter"]) == 4
    rows = dbsession.scalar(select(func.count()).select_from(InventoryBatchRow))
    assert rows == 1  # no revert batch was made
