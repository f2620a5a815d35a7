"""`poser report list` and `poser report run`: a report from the terminal, written and
recorded as the web's, and each refusal one line on stderr."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session

# main first: it registers the command modules, which import it back.
from poser.entry_points.main import cli
from poser.models.orm import Export, Job
from tests.unit.entry_points.test_cli_catalog import _refused, _write_ini
from tests.unit.tasks.reports.small_store import make_small_store

pytestmark = pytest.mark.usefixtures("clean_environ", "session_factory")


@pytest.fixture
def ini(tmp_path: Path, database_url: str) -> str:
    (tmp_path / "app" / "data").mkdir(parents=True)  # as `poser make-appdir` leaves it
    return _write_ini(tmp_path, database_url)


def report(ini: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-c", ini, "report", *args], catch_exceptions=False)


def test_list_names_each_report_and_its_parameters(ini: str) -> None:
    result = report(ini, "list")
    assert result.exit_code == 0, result.output
    assert "cost_changes: Cost changes" in result.stdout
    assert "--param start=...  From (date YYYY-MM-DD)" in result.stdout
    assert "--param end=...  To (date YYYY-MM-DD, optional)" in result.stdout
    assert "--param reason=...  Which products (one of all, no_price," in result.stdout


def test_run_writes_the_report_as_the_web_does(ini: str, dbsession: Session) -> None:
    _, rows = make_small_store(dbsession)
    result = report(
        ini, "run", "cost_changes", "--data-set", "Small Store", "--param", "start=2026-03-01",
        "--param", "end=2026-03-05", "--user", rows["alice"].username,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    dbsession.rollback()  # a fresh snapshot: see what the command committed
    export = dbsession.scalars(select(Export)).one()
    job = dbsession.scalars(select(Job)).one()
    assert (job.kind, job.status, job.user_id) == (
        "report.cost_changes",
        "succeeded",
        rows["alice"].id,
    )
    assert job.parameters == {"values": {"start": "2026-03-01", "end": "2026-03-05"}}
    assert export.row_count == 3
    assert f"Cost changes: 3 rows (job {job.id}, export {export.id})" in result.stdout
    assert f"{export.folder}/cost-changes.csv" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no_such", "--data-set", "Small Store"], "There is no report named 'no_such'"),
        (["cost_changes", "--data-set", "Small Store"], "start: Required."),
        (["cost_changes", "--data-set", "Small Store", "--param", "start=soon"], "give a date"),
        (["margin_by_department", "--data-set", "Nowhere"], "no data set named 'Nowhere'"),
        (["margin_by_department", "--data-set", "Small Store", "--user", "nobody"], "no user"),
    ],
)
def test_run_refuses_with_one_line(
    ini: str, dbsession: Session, args: list[str], message: str
) -> None:
    make_small_store(dbsession)
    _refused(report(ini, "run", *args), 1, message)
    dbsession.rollback()
    assert dbsession.scalars(select(Job)).all() == []


def test_run_refuses_a_user_who_is_not_a_member(ini: str, dbsession: Session) -> None:
    make_small_store(dbsession)
    _, other = make_small_store(dbsession, "Other Store")
    args = ["margin_by_department", "--data-set", "Small Store", "--user", other["alice"].username]
    _refused(report(ini, "run", *args), 1, "is not a member of 'Small Store'")
