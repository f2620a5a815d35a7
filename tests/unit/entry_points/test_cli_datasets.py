from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.entry_points.cli_context import Context
from poser.entry_points.cli_datasets import data_set_group
from poser.models.data_extraction.products import product_counts
from poser.models.orm import DataSet, DataSetMember
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("clean_environ", "session_factory")


@pytest.fixture
def ini(tmp_path: Path, database_url: str) -> str:
    path = tmp_path / "site.ini"
    path.write_text(
        "[app:main]\nuse = egg:poser\n"
        "poser.environment = development\n"
        "poser.appdir = %(here)s/app\n"
        f"sqlalchemy.url = {database_url}\n",
        encoding="utf-8",
    )
    return str(path)


def run(ini: str, *args: str) -> Result:
    # The group is invoked on its own, as `poser data-set` runs it once registered.
    return CliRunner().invoke(data_set_group, list(args), obj=Context(ini), catch_exceptions=False)


def _created_id(result: Result) -> int:
    match = re.search(r"created data set (\d+) ", result.output)
    assert match, result.output
    return int(match[1])


def test_generate_makes_an_owned_data_set(ini: str, dbsession: Session) -> None:
    owner = make_user(dbsession, "Nina")
    result = run(ini, "generate", "Big Store", "--products", "40", "--owner", "NINA")
    assert result.exit_code == 0, result.output
    assert "40 products" in result.output
    assert "15 departments" in result.output
    data_set = dbsession.get_one(DataSet, _created_id(result))
    assert (data_set.name, data_set.application) == ("Big Store", "products")
    member = dbsession.scalars(select(DataSetMember)).one()
    assert (member.data_set_id, member.user_id, member.role) == (data_set.id, owner.id, "owner")
    assert product_counts(dbsession, data_set.id)["products"] == 40


def test_generate_for_an_unknown_owner_creates_nothing(ini: str, dbsession: Session) -> None:
    result = run(ini, "generate", "X", "--products", "5", "--owner", "nobody", "--seed", "3")
    assert result.exit_code == 1
    assert "no user named 'nobody'" in result.output
    assert dbsession.scalars(select(DataSet)).all() == []


def test_export_then_import(ini: str, dbsession: Session, tmp_path: Path) -> None:
    generated = run(ini, "generate", "Store", "--products", "30", "--application", "products")
    source_id = _created_id(generated)
    file = tmp_path / "store.xlsx"
    exported = run(ini, "export", str(source_id), str(file))
    assert exported.exit_code == 0, exported.output
    assert file.is_file()
    assert not list(tmp_path.glob(".*partial"))

    imported = run(ini, "import", "Copy", str(file))
    assert imported.exit_code == 0, imported.output
    copy = dbsession.get_one(DataSet, _created_id(imported))
    assert copy.name == "Copy"
    assert product_counts(dbsession, copy.id) == product_counts(dbsession, source_id)


def test_errors_leave_no_file_and_no_data_set(ini: str, dbsession: Session, tmp_path: Path) -> None:
    missing = run(ini, "export", "999", str(tmp_path / "none.xlsx"))
    assert missing.exit_code == 1
    assert "no data set 999" in missing.output
    assert list(tmp_path.glob("*.xlsx")) == []
    assert list(tmp_path.glob(".*")) == []

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    refused = run(ini, "import", "Broken", str(bad))
    assert refused.exit_code == 1
    assert "This is not a data set workbook: this file is not an Excel workbook" in refused.output
    assert dbsession.scalars(select(DataSet)).all() == []

    # An Application that keeps only parameters has no tables to write.
    notes = DataSet(name="Notes", application="demo")
    dbsession.add(notes)
    dbsession.commit()
    nothing = run(ini, "export", str(notes.id), str(tmp_path / "notes.xlsx"))
    assert nothing.exit_code == 1
    assert "keep no tables: there is no workbook to export" in nothing.output
    assert list(tmp_path.glob("notes.xlsx")) == list(tmp_path.glob(".*")) == []
