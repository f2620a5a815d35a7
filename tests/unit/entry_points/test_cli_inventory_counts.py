"""`poser inventory show` and `recount`: a count made by `import` summed up and
recounted from the terminal, and every refusal one line on stderr with a non-zero exit,
nothing changed. Its fixtures serve `test_cli_inventory_apply` too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session

# main first: it registers the command modules, which import it back.
from poser.entry_points.main import cli
from poser.models.orm import (
    Batch,
    DataSet,
    DataSetMember,
    ProductChange,
    Upload,
    User,
)
from tests.catalog_support import UPC_BUTTER, UPC_MILK, UPC_SOAP
from tests.factories import make_user
from tests.unit.entry_points.test_cli_catalog import _refused
from tests.unit.entry_points.test_cli_inventory import _file, _on_hand, make_store, write_ini

pytestmark = pytest.mark.usefixtures("clean_environ", "session_factory")


@pytest.fixture
def ini(tmp_path: Path, database_url: str) -> str:
    return write_ini(tmp_path, database_url)


@pytest.fixture
def store(dbsession: Session) -> dict[str, Any]:
    return make_store(dbsession)


def inventory(ini: str, *args: str | Path | int) -> Result:
    return CliRunner().invoke(
        cli, ["-c", ini, "inventory", *map(str, args)], catch_exceptions=False
    )


def _count(ini: str, tmp_path: Path, text: str, *options: str) -> int:
    """A count made by `import` (not applied): its batch id."""
    file = _file(tmp_path, "front.csv", text)
    result = inventory(ini, "import", file, "--data-set", "Corner Shop", *options)
    assert result.exit_code == 0, result.output
    return int(result.stdout.split(":", 1)[0].removeprefix("batch "))


@pytest.fixture
def flagged(ini, store, tmp_path) -> int:
    """Butter counted 90 (on-hand 10, past the threshold of 10 units), soap 3 (on-hand 2)."""
    text = f"UPC,Qty,Section\n{UPC_BUTTER},90,A1\n{UPC_SOAP},3,B2\n"
    return _count(ini, tmp_path, text, "--departments", "1,2", "--threshold-units", "10")


def _batch(dbsession: Session, batch_id: int) -> Batch:
    dbsession.rollback()  # a new snapshot: the command committed since
    return dbsession.get_one(Batch, batch_id)


def _changes(dbsession: Session) -> int:
    dbsession.rollback()
    return dbsession.scalar(select(func.count()).select_from(ProductChange))


# -- the summary ----------------------------------------------------------------------


def test_import_prints_the_variance_in_money_and_what_comes_next(ini, store, tmp_path) -> None:
    text = f"{UPC_BUTTER},90\n{UPC_SOAP},3\n{UPC_MILK},x\n"
    result = inventory(
        ini, "import", _file(tmp_path, "a.csv", text), "--data-set", "Corner Shop",
        "--threshold-units", "10", "--user", "olga",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    batch_id = int(result.stdout.split(":", 1)[0].removeprefix("batch "))
    out = result.stdout
    # Butter: +80 units at 2.00 and 5.00; soap: +1 at 1.50 and 5.00.
    assert "  1 Dairy        1        1    +80  +160.00    +400.00" in out, out
    assert "  2 Health       1        0     +1    +1.50      +5.00" in out, out
    assert "  Total          2        1    +81  +161.50    +405.00" in out, out
    assert "1 row flagged for recount" in out
    assert f"poser inventory show {batch_id} --recount-list recount-batch-{batch_id}.txt" in out
    assert f"poser inventory recount {batch_id} FILE... --user olga" in out
    assert f"poser inventory apply {batch_id} --user olga --skip-errors --apply-flagged" in out


def test_the_summary_names_the_first_rows_in_error_and_what_is_wrong(ini, store, tmp_path) -> None:
    bad = "".join(f"{UPC_MILK},-{n}\n" for n in range(1, 7))
    batch_id = _count(ini, tmp_path, f"UPC,Qty\n{UPC_BUTTER},5\nnotaupc,1\n{bad}")
    out = inventory(ini, "show", batch_id).stdout
    listed = out.split("rows in error:\n", 1)[1].splitlines()[:6]
    assert listed[:2] == [
        "  front.csv line 3: UPC: 'notaupc' is not a UPC: only digits are allowed",
        "  front.csv line 4: quantity -1 is negative: a count is zero or more",
    ]
    assert listed[4] == "  front.csv line 7: quantity -4 is negative: a count is zero or more"
    assert listed[5] == "  and 2 more: the Review page lists them all"


def test_show_sums_up_and_writes_the_recount_list(ini, flagged, tmp_path) -> None:
    target = tmp_path / "list.txt"
    result = inventory(ini, "show", flagged, "--recount-list", target)
    assert result.exit_code == 0, result.output
    assert f"batch {flagged}: inventory count of 'Corner Shop'" in result.stdout
    assert "read, not applied" in result.stdout
    assert "+160.00" in result.stdout
    assert "1 row flagged for recount" in result.stdout
    assert "recount list: 1 UPC written to" in result.stdout
    assert target.read_bytes() == f"{UPC_BUTTER}\r\n".encode()  # as the Review page's


def test_show_of_an_applied_count_offers_revert_and_the_valuation(ini, store, tmp_path) -> None:
    batch_id = _count(ini, tmp_path, f"{UPC_BUTTER},4\n")
    assert inventory(ini, "apply", batch_id).exit_code == 0
    result = inventory(ini, "show", batch_id)
    assert result.exit_code == 0, result.output
    assert "applied on" in result.stdout
    assert f"poser inventory revert {batch_id} --user NAME" in result.stdout
    data_set_id = store["data_set"].id
    assert f"poser report run inventory_valuation --data-set-id {data_set_id}" in result.stdout


@pytest.fixture
def catalog_batch(store, dbsession) -> int:
    batch = Batch(data_set_id=store["data_set"].id, batch_type="catalog", status="populated")
    dbsession.add(batch)
    dbsession.commit()
    return batch.id


@pytest.mark.parametrize(
    "args",
    [("show",), ("recount", "FILE"), ("apply",), ("revert",)],
    ids=["show", "recount", "apply", "revert"],
)
def test_each_command_refuses_a_batch_that_is_not_a_count(
    ini, catalog_batch, tmp_path, args
) -> None:
    command, *rest = args
    files = [_file(tmp_path, "r.csv", f"{UPC_BUTTER},1\n")] if rest else []
    result = inventory(ini, command, 999_999, *files)
    _refused(result, 1, "no batch 999999")
    result = inventory(ini, command, catalog_batch, *files)
    _refused(result, 1, f"batch {catalog_batch} is a vendor catalog, not an inventory count")


# -- recount --------------------------------------------------------------------------


def test_a_recount_replaces_the_flagged_lines(ini, store, flagged, dbsession, tmp_path) -> None:
    recount = _file(tmp_path, "recount.csv", f"{UPC_BUTTER},12\n")
    result = inventory(ini, "recount", flagged, recount, "--user", "olga")
    assert result.exit_code == 0, result.output
    assert "Replaced by a recount" in result.stdout
    assert "0 rows flagged for recount" in result.stdout
    assert "  1 Dairy        1        0     +2    +4.00     +10.00" in result.stdout
    batch = _batch(dbsession, flagged)
    assert [f.get("recount", False) for f in batch.parameters["files"]] == [False, True]
    assert batch.status_counts == {"increase": 2, "replaced": 1}
    assert _on_hand(dbsession, store["butter"]) == 10  # nothing applied


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"UPC,Description,Case Cost\n036000291452,Butter,24.00\n", "looks like a vendor catalog"),
        (b"", "recount.csv"),
        (f"UPC,Qty,Section\n{UPC_BUTTER},90,A1\n{UPC_SOAP},3,B2\n".encode(), "is the same file"),
    ],
    ids=["catalog", "empty", "same file"],
)
def test_a_refused_recount_file_changes_nothing(
    ini, store, flagged, dbsession, tmp_path, body, words
) -> None:
    before = _batch(dbsession, flagged)
    version, counts = before.version, dict(before.status_counts)
    good = _file(tmp_path, "good.csv", f"{UPC_BUTTER},12\n")
    bad = _file(tmp_path, "recount.csv", body)
    result = inventory(ini, "recount", flagged, good, bad)
    _refused(result, 1, words)
    after = _batch(dbsession, flagged)
    assert (after.version, after.status_counts, len(after.parameters["files"])) == (
        version,
        counts,
        1,
    )
    assert dbsession.scalar(select(func.count()).select_from(Upload)) == 1
    folder = tmp_path / "app" / "data"
    kept = sorted(path.name for path in folder.rglob("*") if path.is_file())
    assert kept == ["1-front.csv"]  # the good file taken in was given back too


def test_an_applied_count_takes_no_recount(ini, flagged, dbsession, tmp_path) -> None:
    assert inventory(ini, "apply", flagged, "--apply-flagged").exit_code == 0
    result = inventory(ini, "recount", flagged, _file(tmp_path, "r.csv", f"{UPC_BUTTER},1\n"))
    _refused(result, 1, f"batch {flagged} takes no more files or lines: This batch was applied on")


def test_a_viewer_may_not_recount(ini, flagged, dbsession, tmp_path) -> None:
    viewer = make_user(dbsession, "vera")
    _add_member(dbsession, viewer, "viewer")
    result = inventory(
        ini, "recount", flagged, _file(tmp_path, "r.csv", f"{UPC_BUTTER},1\n"), "--user", "vera"
    )
    _refused(result, 1, "vera may not change data set")
    assert len(_batch(dbsession, flagged).parameters["files"]) == 1


def _add_member(dbsession: Session, user: User, role: str) -> None:
    data_set = dbsession.scalars(select(DataSet).where(DataSet.name == "Corner Shop")).one()
    dbsession.add(DataSetMember(data_set_id=data_set.id, user_id=user.id, role=role))
    dbsession.commit()


def test_show_a_count_not_read_has_no_recount_list(ini, store, dbsession, tmp_path) -> None:
    batch = Batch(data_set_id=store["data_set"].id, batch_type="inventory", status="new")
    dbsession.add(batch)
    dbsession.commit()
    result = inventory(ini, "show", batch.id, "--recount-list", tmp_path / "l.txt")
    _refused(result, 1, f"batch {batch.id} has not been read: no recount list")
    assert "not read yet" in result.stdout


# -- typed lines ----------------------------------------------------------------------


def test_a_typed_line_is_counted_with_the_files(ini, store, flagged, dbsession) -> None:
    result = inventory(ini, "line", flagged, UPC_MILK, "2", "--section", "C1", "--user", "olga")
    assert result.exit_code == 0, result.output
    assert f"batch {flagged}: typed line 1, 2 units of Milk" in result.stdout
    # Milk: on-hand 5, counted 2: -3 units at 3.00 and at 5.00.
    assert "  1 Dairy        2        1    +77  +151.00    +385.00" in result.stdout
    batch = _batch(dbsession, flagged)
    assert batch.parameters["typed"][0]["section"] == "C1"
    assert batch.status_counts == {"increase": 2, "decrease": 1}


@pytest.mark.parametrize(
    ("upc", "quantity", "words"),
    [("070038000563", "1", "not in the catalog"), (UPC_MILK, "x", "Not counted.")],
)
def test_a_line_that_cannot_be_counted_is_refused(
    ini, flagged, dbsession, upc, quantity, words
) -> None:
    _refused(inventory(ini, "line", flagged, upc, quantity), 1, words)
    batch = _batch(dbsession, flagged)
    assert "typed" not in batch.parameters or batch.parameters["typed"] == []


def test_a_line_goes_only_into_an_open_count_for_an_editor(ini, flagged, dbsession) -> None:
    _add_member(dbsession, make_user(dbsession, "vera"), "viewer")
    _refused(inventory(ini, "line", flagged, UPC_MILK, "1", "--user", "vera"), 1, "vera may not")
    assert inventory(ini, "apply", flagged, "--apply-flagged").exit_code == 0
    _refused(inventory(ini, "line", flagged, UPC_MILK, "1"), 1, "takes no more files or lines")
    assert not _batch(dbsession, flagged).parameters.get("typed")
