"""`poser catalog import`: the Catalog app's tasks from the terminal, and every refusal
as one line on stderr with a non-zero exit."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session

# main first: it registers the command modules, which import it back.
from poser.entry_points.cli_batches import EXIT_ROWS_IN_ERROR
from poser.entry_points.main import cli
from poser.models.orm import Batch, Export, Job, ProductChange, ProductCost, Upload
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_NEW, UPC_SOAP, make_catalog
from tests.factories import make_data_set, make_user

pytestmark = pytest.mark.usefixtures("clean_environ", "session_factory")

GOOD = HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n{UPC_SOAP},A-200,Soap,,,6,9.00\n"
WITH_AN_ERROR = GOOD + "abc,A-500,Not a UPC,,,1,1.00\n"


def _write_ini(folder: Path, database_url: str, extra: str = "") -> str:
    path = folder / "site.ini"
    path.write_text(
        "[app:main]\nuse = egg:poser\n"
        "poser.environment = development\n"
        "poser.appdir = %(here)s/app\n"
        f"sqlalchemy.url = {database_url}\n{extra}",
        encoding="utf-8",
    )
    return str(path)


@pytest.fixture
def ini(tmp_path: Path, database_url: str) -> str:
    return _write_ini(tmp_path, database_url)


@pytest.fixture
def store(dbsession: Session) -> dict[str, Any]:
    olga = make_user(dbsession, "olga")
    data_set = make_data_set(dbsession, "Corner Shop", members={olga: "owner"})
    rows = make_catalog(dbsession, data_set)
    dbsession.commit()
    return {"data_set": data_set, **rows}


def run(ini: str, file: Path, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["-c", ini, "catalog", "import", str(file), *args], catch_exceptions=False
    )


def _file(tmp_path: Path, content: str | bytes, name: str = "acme.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def _costs(dbsession: Session) -> list[tuple[int, int, Decimal]]:
    dbsession.rollback()  # a fresh snapshot: see what the command committed
    rows = dbsession.execute(
        select(ProductCost.product_id, ProductCost.vendor_id, ProductCost.case_cost).order_by(
            ProductCost.id
        )
    )
    return [tuple(row) for row in rows]


def _refused(result: Result, exit_code: int, message: str) -> None:
    """One line on stderr, no traceback, the exit code asked for."""
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit)
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(lines) == 1, result.stderr


def test_import_reads_the_file_and_prints_the_counts(ini, store, dbsession, tmp_path) -> None:
    before = _costs(dbsession)
    result = run(
        ini, _file(tmp_path, WITH_AN_ERROR), "--data-set", "Corner Shop", "--vendor", "acme"
    )
    assert result.exit_code == 0, result.output
    assert "3 rows read" in result.stdout
    table = {tuple(line.split()[-2:]) for line in result.stdout.splitlines()[1:]}
    assert {("up", "1"), ("Unchanged", "1"), ("Error", "1")} <= table
    assert _costs(dbsession) == before  # read, not applied
    batch = dbsession.scalars(select(Batch)).one()
    assert (batch.status, batch.input_filename, batch.row_count) == ("populated", "acme.csv", 3)


def test_execute_applies_no_flagged_row_unless_told_to(ini, store, dbsession, tmp_path) -> None:
    before = _costs(dbsession)
    result = run(
        ini,
        _file(tmp_path, GOOD),
        *("--data-set", "Corner Shop", "--vendor", "ACME", "--execute", "--tolerance", "5"),
        *("--user", "Olga"),
    )
    assert result.exit_code == EXIT_ROWS_IN_ERROR, result.output
    assert "row(s) are flagged" in result.stderr
    assert "--apply-flagged" in result.stderr
    assert _costs(dbsession) == before
    assert dbsession.scalars(select(Batch)).one().status == "populated"  # kept for review


def test_execute_applies_and_writes_the_report(ini, store, dbsession, tmp_path) -> None:
    text = GOOD + f"{UPC_NEW},A-400,New thing,Brand,1 ea,2,5.00\n"
    result = run(
        ini,
        _file(tmp_path, text),
        *("--data-set", "Corner Shop", "--vendor", "ACME", "--execute", "--new-items", "add"),
        *("--user", "Olga", "--effective-date", "2020-01-31", "--tolerance", "5"),
        "--apply-flagged",
    )
    assert result.exit_code == 0, result.output
    assert "applied" in result.stdout
    assert "New items added" in result.stdout  # the summary in words, as on the pages
    assert "new_items_added" not in result.stdout
    assert "history rows" not in result.stdout
    butter = dbsession.scalars(
        select(ProductCost).where(ProductCost.product_id == store["butter"].id)
    ).one()
    assert butter.case_cost == Decimal("26.40")
    batch = dbsession.scalars(select(Batch)).one()
    assert batch.status == "executed"
    assert batch.parameters["effective_date"] == "2020-01-31"
    assert batch.executed_by_id == batch.created_by_id is not None
    assert batch.execution_summary["new_items_added"] == 1
    # The products' change log names the batch and the command that applied it.
    changes = dbsession.scalars(select(ProductChange).where(ProductChange.field == "cost")).all()
    assert {(c.source, c.batch_id, c.command, c.changed_by_id) for c in changes} == {
        ("batch", batch.id, "poser catalog import", batch.executed_by_id)
    }
    # The report was written by its own job, once the apply had committed.
    report_job = dbsession.scalars(select(Job).where(Job.kind == "batches.report")).one()
    assert (report_job.status, report_job.user_id) == ("succeeded", batch.executed_by_id)
    export = dbsession.scalars(select(Export)).one()
    assert (export.batch_id, export.row_count) == (batch.id, 2)
    keys = [f"{export.folder}/{name}" for name in export.files]
    assert sorted(key.rsplit(".", 1)[-1] for key in keys) == ["csv", "xlsx"]
    for key in keys:
        assert f"  {key}\n" in result.stdout
        assert (tmp_path / "app" / "data" / key).is_file()
    report = (tmp_path / "app" / "data" / keys[0]).read_text(encoding="utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(report)))
    assert {line["Effective date"] for line in lines} == {"2020-01-31"}
    staged = tmp_path / "app" / "data" / "batches" / "catalog" / str(batch.id) / "report"
    assert list(staged.glob("*")) == []  # written there first, then moved to the export


def test_a_batch_dated_after_today_is_applied_early_only_when_asked(
    ini, store, dbsession, tmp_path
) -> None:
    file = _file(tmp_path, GOOD)
    args = ("--data-set", "Corner Shop", "--vendor", "ACME", "--user", "olga")
    later = (date.today() + timedelta(days=7)).isoformat()
    before = _costs(dbsession)
    refused = run(ini, file, *args, "--effective-date", later, "--execute")
    _refused(refused, 4, f"it takes effect on {later}, after today, so nothing was applied")
    assert "--apply-early" in refused.stderr
    assert _costs(dbsession) == before
    assert dbsession.scalars(select(Batch.status)).one() == "populated"

    early = run(ini, file, *args, "--effective-date", later, "--execute", "--apply-early")
    assert early.exit_code == 0, early.output
    assert _costs(dbsession) != before
    dbsession.expire_all()
    applied = dbsession.scalars(select(Batch).where(Batch.status == "executed")).one()
    assert applied.parameters["effective_date"] == later


def test_schedule_leaves_the_batch_to_the_scheduler(ini, store, dbsession, tmp_path) -> None:
    file = _file(tmp_path, GOOD)
    args = ("--data-set", "Corner Shop", "--vendor", "ACME", "--user", "olga")
    later = (date.today() + timedelta(days=7)).isoformat()
    before = _costs(dbsession)
    result = run(ini, file, *args, "--effective-date", later, "--schedule")
    assert result.exit_code == 0, result.output
    assert f"to be applied on {later} by the scheduler" in result.stdout
    assert _costs(dbsession) == before
    batch = dbsession.scalars(select(Batch)).one()
    assert (batch.status, str(batch.scheduled_for)) == ("populated", later)
    assert batch.scheduled_by_id == batch.created_by_id is not None
    assert batch.scheduled_version == batch.version
    # Nothing to wait for: a batch dated today is applied with --execute.
    today = run(ini, file, *args, "--effective-date", date.today().isoformat(), "--schedule")
    _refused(today, 1, "apply it now")
    _refused(run(ini, file, *args, "--execute", "--schedule"), 2, "not both")


def test_rows_in_error_stop_execute_unless_skipped(ini, store, dbsession, tmp_path) -> None:
    file = _file(tmp_path, WITH_AN_ERROR)
    before = _costs(dbsession)
    args = ("--data-set", "Corner Shop", "--vendor", "ACME", "--execute")
    refused = run(ini, file, *args)
    _refused(refused, 3, "1 row(s) are in error, so nothing was applied")
    assert "--skip-errors" in refused.stderr
    assert "3 rows read" in refused.stdout  # the counts come first, to say which
    assert _costs(dbsession) == before
    assert dbsession.scalars(select(Batch.status)).one() == "populated"

    result = run(ini, file, *args, "--skip-errors")
    assert result.exit_code == 0, result.output
    assert _costs(dbsession) != before
    applied = dbsession.scalars(select(Batch).where(Batch.status == "executed")).one()
    assert applied.execution_summary["errors_skipped"] == 1
    assert applied.acknowledged_at is not None


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("", "acme.csv", "acme.csv: The file is empty."),
        (b"\x00\x01binary\xff" * 100, "acme.xlsx", "content was checked"),
        (HEADER, "acme.csv", "has a header row but no rows under it"),
        ("Description,Pack\nThing,1\n", "acme.csv", "missing required column: UPC"),
    ],
)
def test_a_file_it_cannot_read(ini, store, dbsession, tmp_path, content, name, message) -> None:
    before = _costs(dbsession)
    result = run(
        ini,
        _file(tmp_path, content, name),
        "--data-set",
        "Corner Shop",
        "--vendor",
        "ACME",
        "--execute",
    )
    _refused(result, 1, message)
    assert _costs(dbsession) == before
    # Read like the web app reads it: a file that reached a batch leaves it failed, saying why.
    assert [
        (b.status, b.error and message in b.error) for b in dbsession.scalars(select(Batch))
    ] in (
        [],
        [("failed", True)],
    )


def test_a_file_over_the_upload_limit(store, dbsession, tmp_path, database_url) -> None:
    folder = tmp_path / "small"
    folder.mkdir()
    ini = _write_ini(folder, database_url, "poser.upload.max_bytes = 100\n")
    result = run(ini, _file(tmp_path, GOOD * 5), "--data-set", "Corner Shop", "--vendor", "ACME")
    _refused(result, 1, "larger than the limit of 100 bytes")
    assert dbsession.scalars(select(Batch)).all() == []


def test_data_set_vendor_user_and_options_are_checked(ini, store, dbsession, tmp_path) -> None:
    file = _file(tmp_path, GOOD)
    _refused(
        run(ini, file, "--data-set", "Nowhere", "--vendor", "ACME"),
        1,
        "no data set named 'Nowhere'",
    )
    _refused(run(ini, file, "--data-set-id", "999999", "--vendor", "ACME"), 1, "no data set 999999")
    _refused(
        run(ini, file, "--data-set", "Corner Shop", "--vendor", "ZED"),
        1,
        "no vendor 'ZED' in data set",
    )
    assert (
        "(vendors: ACME, BETA)"
        in run(ini, file, "--data-set", "Corner Shop", "--vendor", "ZED").stderr
    )
    _refused(
        run(ini, file, "--data-set", "Corner Shop", "--vendor", "ACME", "--user", "nobody"),
        1,
        "no user named 'nobody'",
    )
    make_user(dbsession, "sam")  # no member: the batch's jobs would not run for him
    _refused(
        run(ini, file, "--data-set", "Corner Shop", "--vendor", "ACME", "--user", "sam"),
        1,
        "sam may not change data set",
    )
    _refused(
        run(ini, file, "--data-set", "Corner Shop", "--vendor", "ACME", "--tolerance", "lots"),
        1,
        "Tolerance",
    )
    _refused(
        run(ini, file, "--data-set", "Corner Shop", "--vendor", "ACME", "--effective-date", "soon"),
        1,
        "Effective date",
    )
    neither = run(ini, file, "--vendor", "ACME")
    assert neither.exit_code == 2
    assert "--data-set NAME or --data-set-id ID" in neither.stderr
    assert dbsession.scalars(select(Batch)).all() == []


def test_a_data_set_of_another_kind_is_refused(ini, store, dbsession, tmp_path) -> None:
    plans = make_data_set(dbsession, "Plans", application="sample")
    make_catalog(dbsession, plans)  # a vendor ACME, as a Products data set would have
    dbsession.commit()
    result = run(ini, _file(tmp_path, GOOD), "--data-set", "Plans", "--vendor", "ACME")
    _refused(result, 1, "Plans is not a Products data set: vendor catalogs are made on")
    dbsession.rollback()
    assert dbsession.scalars(select(Batch)).all() == []
    assert dbsession.scalars(select(Upload)).all() == []
    assert list((tmp_path / "app").rglob("acme.csv")) == []  # nor its file kept


def test_a_name_shared_by_two_data_sets_needs_the_id(ini, store, dbsession, tmp_path) -> None:
    twin = make_data_set(dbsession, "Corner Shop")
    make_catalog(dbsession, twin)
    dbsession.commit()
    file = _file(tmp_path, GOOD)
    ids = f"{store['data_set'].id}, {twin.id}"
    result = run(ini, file, "--data-set", "Corner Shop", "--vendor", "ACME")
    _refused(
        result, 1, f"2 data sets are named 'Corner Shop' (ids {ids}); choose one with --data-set-id"
    )
    chosen = run(ini, file, "--data-set-id", str(twin.id), "--vendor", "ACME")
    assert chosen.exit_code == 0, chosen.output
    assert dbsession.scalars(select(Batch.data_set_id)).one() == twin.id


def test_the_same_file_again_and_the_vendors_columns(ini, store, dbsession, tmp_path) -> None:
    """The command makes its batch as the Upload step does: the same file twice is
    warned of, and a vendor's remembered columns read its file."""
    file = _file(tmp_path, GOOD)
    first = run(ini, file, "--data-set", "Corner Shop", "--vendor", "ACME")
    assert first.exit_code == 0, first.output
    assert "the same as" not in first.stderr
    again = run(ini, file, "--data-set", "Corner Shop", "--vendor", "ACME")
    assert again.exit_code == 0, again.output
    batches = dbsession.scalars(select(Batch.id).order_by(Batch.id)).all()
    assert f"the same as the file of batch #{batches[0]} (acme.csv" in again.stderr
    store["acme"].column_mapping = {"Barcode No": "upc", "Net": "case_cost"}
    dbsession.commit()
    own = _file(tmp_path, f"Barcode No,Net\n{UPC_BUTTER},26.40\n", "own.csv")
    read = run(ini, own, "--data-set", "Corner Shop", "--vendor", "ACME")
    assert read.exit_code == 0, read.output
    assert "1 rows read" in read.output
