"""`poser inventory import`: scanner files counted and applied from the terminal, and
every refusal as one line on stderr with a non-zero exit."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.entry_points.cli_inventory import EXIT_ROWS_IN_ERROR

# main first: it registers the command modules, which import it back.
from poser.entry_points.main import cli
from poser.models.orm import Batch, Product, ProductChange, User
from tests.catalog_support import UPC_BUTTER, UPC_MILK, UPC_NEW, UPC_SOAP, make_catalog
from tests.factories import make_data_set, make_user
from tests.unit.entry_points.test_cli_catalog import _refused

pytestmark = pytest.mark.usefixtures("clean_environ", "session_factory")


@pytest.fixture
def ini(tmp_path: Path, database_url: str) -> str:
    return write_ini(tmp_path, database_url)


def write_ini(tmp_path: Path, database_url: str) -> str:
    path = tmp_path / "site.ini"
    path.write_text(
        "[app:main]\nuse = egg:poser\nposer.environment = development\n"
        f"poser.appdir = %(here)s/app\nsqlalchemy.url = {database_url}\n",
        encoding="utf-8",
    )
    return str(path)


@pytest.fixture
def store(dbsession: Session) -> dict[str, Any]:
    return make_store(dbsession)


def make_store(dbsession: Session) -> dict[str, Any]:
    """Corner Shop, owned by olga: butter 10 and milk 5 (Dairy), soap 2 (Health) on hand."""
    olga = make_user(dbsession, "olga")
    data_set = make_data_set(dbsession, "Corner Shop", members={olga: "owner"})
    data_set.application = "products"  # the Inventory app counts a Products data set
    rows = make_catalog(dbsession, data_set)
    rows["butter"].on_hand = Decimal(10)
    rows["milk"].on_hand = Decimal(5)
    rows["soap"].on_hand = Decimal(2)
    dbsession.commit()
    return {"data_set": data_set, **rows}


def _file(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def run(ini: str, *args: str | Path) -> Result:
    return CliRunner().invoke(
        cli,
        ["-c", ini, "inventory", "import", *map(str, args)],
        catch_exceptions=False,
    )


def _on_hand(dbsession: Session, product: Product) -> Decimal:
    dbsession.rollback()  # a new snapshot: the command committed since
    return dbsession.scalar(select(Product.on_hand).where(Product.id == product.id))


def test_two_files_counted_and_applied_zeroing_the_rest(ini, store, dbsession, tmp_path) -> None:
    first = _file(tmp_path, "front.csv", f"UPC,Qty\n{UPC_BUTTER},4\n")
    second = _file(tmp_path, "back.txt", f"{UPC_BUTTER} 3\n")
    result = run(
        ini, first, second, "--data-set", "Corner Shop", "--mode", "zero_rest",
        "--departments", "1", "--execute", "--user", "olga",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "3 rows read" in result.output
    assert "Not counted: goes to zero" in result.output
    assert "applied" in result.output
    assert _on_hand(dbsession, store["butter"]) == 7
    assert _on_hand(dbsession, store["milk"]) == 0  # Dairy, not counted
    assert _on_hand(dbsession, store["soap"]) == 2  # Health: not counted, never touched
    change = dbsession.scalars(
        select(ProductChange).where(ProductChange.product_id == store["butter"].id)
    ).one()
    assert change.command == "poser inventory import"


def test_cases(ini, store, dbsession, tmp_path) -> None:
    file = _file(tmp_path, "cases.csv", f"{UPC_SOAP},2\n")
    result = run(ini, file, "--data-set", "Corner Shop", "--cases", "--execute")
    assert result.exit_code == 0, result.output
    assert _on_hand(dbsession, store["soap"]) == 12


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"UPC,Description,Case Cost\n036000291452,Butter,24.00\n", "looks like a vendor catalog"),
        (b"UPC,Qty\nnot,numbers\n", "reads as a count"),
    ],
)
def test_a_file_that_is_not_a_count_exits_1(ini, store, tmp_path, body, words) -> None:
    file = _file(tmp_path, "scan.csv", body)
    result = run(ini, file, "--data-set", "Corner Shop", "--execute")
    assert result.exit_code == 1
    assert words in result.output


@pytest.mark.parametrize("body", [b"", b"\x89PNG\r\n\x1a\n\x00\x00binary"])
def test_an_empty_or_binary_file_is_refused(ini, store, dbsession, tmp_path, body) -> None:
    good = _file(tmp_path, "good.csv", f"{UPC_BUTTER},1\n")
    bad = _file(tmp_path, "bad.csv", body)
    result = run(ini, good, bad, "--data-set", "Corner Shop", "--execute")
    assert result.exit_code == 1
    assert "bad.csv" in result.output
    dbsession.rollback()
    # Refused at upload (nothing made) or when read (a failed batch saying why).
    assert {batch.status for batch in dbsession.scalars(select(Batch))} <= {"failed"}
    assert _on_hand(dbsession, store["butter"]) == 10


def test_a_data_set_without_products_is_refused(ini, store, dbsession, tmp_path) -> None:
    olga = dbsession.scalars(select(User).where(User.username == "olga")).one()
    other = make_data_set(dbsession, "Plans", members={olga: "owner"})
    other.application = "sample"
    dbsession.commit()
    file = _file(tmp_path, "scan.csv", f"{UPC_BUTTER},1\n")
    result = run(ini, file, "--data-set", "Plans", "--user", "olga")
    _refused(result, 1, "Plans is not a Products data set: inventory counts are made on")
    assert dbsession.scalars(select(Batch)).all() == []


def test_the_same_file_twice_exits_1(ini, store, tmp_path) -> None:
    file = _file(tmp_path, "a.csv", f"{UPC_BUTTER},1\n")
    copy = _file(tmp_path, "b.csv", f"{UPC_BUTTER},1\n")
    result = run(ini, file, copy, "--data-set", "Corner Shop")
    assert result.exit_code == 1
    assert "b.csv is the same file as a.csv" in result.output


def test_rows_in_error_stop_execute_with_exit_3(ini, store, dbsession, tmp_path) -> None:
    file = _file(tmp_path, "a.csv", f"{UPC_BUTTER},1\n{UPC_NEW},2\n{UPC_MILK},-1\n")
    result = run(ini, file, "--data-set", "Corner Shop", "--execute")
    assert result.exit_code == EXIT_ROWS_IN_ERROR
    assert "2 row(s) are in error" in result.output
    assert _on_hand(dbsession, store["butter"]) == 10
    result = run(ini, file, "--data-set", "Corner Shop", "--execute", "--skip-errors")
    assert result.exit_code == 0, result.output
    assert _on_hand(dbsession, store["butter"]) == 1


def test_flagged_rows_stop_execute_unless_applied(ini, store, dbsession, tmp_path) -> None:
    file = _file(tmp_path, "a.csv", f"{UPC_BUTTER},90\n")
    args = ("--data-set", "Corner Shop", "--threshold-units", "10", "--execute")
    result = run(ini, file, *args)
    assert result.exit_code == EXIT_ROWS_IN_ERROR
    assert "flagged for recount" in result.output
    result = run(ini, file, *args, "--apply-flagged")
    assert result.exit_code == 0, result.output
    assert _on_hand(dbsession, store["butter"]) == 90


def test_variance_only_refuses_execute(ini, store, dbsession, tmp_path) -> None:
    file = _file(tmp_path, "a.csv", f"{UPC_BUTTER},9\n")
    result = run(ini, file, "--data-set", "Corner Shop", "--mode", "variance_only", "--execute")
    assert result.exit_code == 1
    assert "nothing is applied" in result.output
    assert _on_hand(dbsession, store["butter"]) == 10


def test_zero_the_rest_without_departments_exits_1(ini, store, tmp_path) -> None:
    file = _file(tmp_path, "a.csv", f"{UPC_BUTTER},9\n")
    result = run(ini, file, "--data-set", "Corner Shop", "--mode", "zero_rest")
    assert result.exit_code == 1
    assert "needs the departments" in result.output
