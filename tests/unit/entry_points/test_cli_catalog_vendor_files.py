"""Vendor files as vendors send them, through `poser catalog import` on the suite's
database: titles above the header, a cover sheet, decimal commas, a NUL in one value,
numbers no column can hold. Each file is read; each row is read as written or is in
error with a message naming the value; the command says where it read the rows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session

# main first: it registers the command modules, which import it back.
from poser.entry_points.main import cli
from poser.models.orm import Batch, CatalogBatchRow
from poser.storage.backends import local_store
from poser.tasks.batches import get_handler
from poser.tasks.batches.jobs import populate
from tests.catalog_support import make_catalog
from tests.factories import make_data_set

pytestmark = pytest.mark.usefixtures("clean_environ", "session_factory")

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "catalog"
NUL_MESSAGE = (
    "Description: the value holds a NUL character (invisible, left by a damaged export), "
    "which cannot be stored; correct it in the file"
)


@pytest.fixture
def ini(tmp_path: Path, database_url: str) -> str:
    path = tmp_path / "site.ini"
    path.write_text(
        "[app:main]\nuse = egg:poser\nposer.environment = development\n"
        f"poser.appdir = %(here)s/app\nsqlalchemy.url = {database_url}\n",
        encoding="utf-8",
    )
    return str(path)


@pytest.fixture
def store(dbsession: Session) -> dict[str, Any]:
    data_set = make_data_set(dbsession, "Corner Shop")
    rows = make_catalog(dbsession, data_set)
    dbsession.commit()
    return {"data_set": data_set, **rows}


def _import(ini: str, name: str) -> Result:
    arguments = ["-c", ini, "catalog", "import", str(CORPUS / name)]
    arguments += ["--data-set", "Corner Shop", "--vendor", "ACME"]
    return CliRunner().invoke(cli, arguments, catch_exceptions=False)


def _rows(dbsession: Session) -> dict[int, CatalogBatchRow]:
    dbsession.rollback()  # a fresh snapshot: see what the command committed
    rows = dbsession.scalars(select(CatalogBatchRow).order_by(CatalogBatchRow.line))
    return {row.line: row for row in rows}


def _read(ini: str, dbsession: Session, name: str, read_from: str) -> dict[int, CatalogBatchRow]:
    result = _import(ini, name)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert read_from in result.output  # where the rows start, for whoever runs it
    batch = dbsession.scalars(select(Batch)).one()
    assert batch.status == "populated"
    assert batch.parameters["read_from"] == read_from  # what the batch panel shows
    return _rows(dbsession)


def _costs(row: CatalogBatchRow) -> tuple[Any, ...]:
    return (row.status, row.case_size, row.case_cost, row.unit_cost)


def test_title_rows_above_the_header(ini, store, dbsession) -> None:
    rows = _read(ini, dbsession, "title_block.csv", "Read the file from line 4 (the header)")
    assert {line: _costs(row) for line, row in rows.items()} == {
        5: ("cost_up", 12, Decimal("26.40"), Decimal("2.2000")),
        6: ("unchanged", 6, Decimal("9.00"), Decimal("1.5000")),
    }


def test_a_workbook_whose_catalog_follows_a_cover_sheet(ini, store, dbsession) -> None:
    where = "Read the sheet \u201cPrices\u201d from line 4 (the header)"
    rows = _read(ini, dbsession, "cover_sheet.xlsx", where)
    assert {line: _costs(row) for line, row in rows.items()} == {
        5: ("cost_up", 12, Decimal("26.40"), Decimal("2.2000")),
        6: ("unchanged", 6, Decimal("9.00"), Decimal("1.5000")),
    }


def test_a_semicolon_file_with_decimal_commas(ini, store, dbsession) -> None:
    where = "Read the file from line 4 (the header), numbers with a decimal comma"
    rows = _read(ini, dbsession, "decimal_comma.csv", where)
    assert {line: _costs(row) for line, row in rows.items()} == {
        5: ("cost_down", 12, Decimal("23.94"), Decimal("1.9950")),  # not 2,394.00
        6: ("unchanged", 6, Decimal("9.00"), Decimal("1.5000")),
        7: ("cost_up", 4, Decimal("1234.50"), Decimal("308.6250")),  # "1.234,50"
        8: ("new_item", 12, Decimal("1250.00"), Decimal("104.1667")),  # "1.250": thousands
        9: ("new_cost", 10, Decimal("25.00"), Decimal("2.5000")),  # "€ 25,00"
    }
    assert rows[5].description == "Butter, ungesalzen"
    assert rows[7].flagged


def test_a_number_the_file_leaves_in_doubt_is_a_row_error(ini, store, dbsession) -> None:
    rows = _read(ini, dbsession, "tab_ambiguous.csv", "Read the file from line 1 (the header)")
    assert {line: (row.status, row.message) for line, row in rows.items()} == {
        2: (
            "error",
            "Case cost: '1,250' can be read as 1250 or as 1.250, and the file does not show "
            "whether its decimal mark is a point or a comma",
        ),
        3: ("unchanged", ""),
    }
    assert rows[2].case_cost is None


def test_a_nul_in_one_description_spoils_that_row_only(ini, store, dbsession) -> None:
    where = "Read the file from line 1 (the header)"
    rows = _read(ini, dbsession, "nul_in_description.csv", where)
    assert {line: (row.status, row.message) for line, row in rows.items()} == {
        2: ("unchanged", ""),
        3: ("error", NUL_MESSAGE),
        4: ("unchanged", ""),
    }
    assert rows[3].description == "Soap"  # stored without its NUL (PostgreSQL refuses it)


def test_values_no_column_can_hold_are_row_errors(ini, store, dbsession) -> None:
    rows = _read(ini, dbsession, "extreme_values.csv", "Read the file from line 1 (the header)")
    nines = "'" + "9" * 24 + "'..."
    assert {line: (row.status, row.message) for line, row in rows.items()} == {
        2: ("error", "Case cost: '1e308' is written with an exponent; write the number in full"),
        3: ("error", "Case cost: 'inf' is not a number"),
        4: ("error", f"Case cost: {nines} has too many digits to be a number of this file"),
        5: ("error", "Case size: '99999999999999999999' is more than 10000"),
        6: (
            "error",
            "Case cost: 10000 \u00d7 10000 = 100000000.00 is more than 50000, which cannot "
            "be right",
        ),
        7: ("error", f"Case size: {nines} is too long to be a number"),
        8: ("error", "Case size: '\u00b2' is not a number"),
        9: ("error", "Case cost: -24.00 is negative"),
    }
    assert [line for line, row in rows.items() if row.case_cost is None] == [2, 3, 4, 6, 9]


def test_the_populate_job_says_where_it_read(store, tmp_path) -> None:
    files = local_store(tmp_path / "files")
    handler = get_handler("catalog")
    batch = handler.make(store["data_set"], files, parameters={"vendor_id": store["acme"].id})
    batch.input_key = f"{handler.folder(batch)}/cover_sheet.xlsx"
    batch.input_filename = "cover_sheet.xlsx"
    files.write(batch.input_key, (CORPUS / "cover_sheet.xlsx").read_bytes())
    result = populate(store["data_set"], batch_id=batch.id, files=files)
    assert result["read_from"] == "Read the sheet \u201cPrices\u201d from line 4 (the header)"
