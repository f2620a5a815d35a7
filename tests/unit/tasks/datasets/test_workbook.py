from __future__ import annotations

import io
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import DataSet, Department, Vendor
from poser.tasks.datasets import copy_data_set, create_data_set
from poser.tasks.datasets import workbook as dataset_io
from poser.tasks.datasets.workbook import export_data_set, import_data_set
from poser.tasks.generate import generate_products
from poser.tasks.jobs import TaskError
from poser.tasks.products_data import PRODUCTS_FORMAT, SHEETS
from poser.utils.tabular import CATALOG_COLUMNS, open_table
from poser.utils.upc import normalize_upc
from tests.catalog_support import check_search_index, preferred_costs_out_of_step
from tests.unit.utils.tabular.builders import OneWayStream, make_xlsx

UPC_1, UPC_2 = "00012345678905", "00036000291452"


def make_data_set(dbsession: Session, name: str = "Store") -> DataSet:
    """An empty data set of Products, whose format these workbooks are."""
    return create_data_set(dbsession, name, "products", None)


def product_counts(dbsession: Session, data_set_id: int) -> dict[str, int]:
    return PRODUCTS_FORMAT.counts(dbsession, data_set_id)


def _sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}
    finally:
        workbook.close()


def _export(data_set: DataSet) -> bytes:
    stream = io.BytesIO()
    export_data_set(data_set, stream)
    return stream.getvalue()


def _valid() -> dict[str, list[list[Any]]]:
    """A small workbook as an operator might have typed it."""
    return {
        "departments": [["number", "name"], [1, "Grocery"], [2, "Dairy"]],
        "vendors": [["code", "name"], ["FARM", "Family Farms"], ["GLNF", "Great Lakes"]],
        "products": [
            list(SHEETS["products"]),
            [UPC_1, "Whole Milk", "Sunny Dairy", "1 gal", 2, 4.49, 12, True],
            ["036000291452", "Pasta", None, "16 oz", 1, "$1.99", None, "yes"],
        ],
        "product_costs": [
            list(SHEETS["product_costs"]),
            [UPC_1, "FARM", "1001", 4, 11.96, 2.99, True],
            [UPC_1, "GLNF", 77, 4, 12.40, 3.1, False],
            [UPC_2, "GLNF", "X-1", 12, 10.8, 0.9, 1],
        ],
    }


def test_export_then_import_gives_equal_data(dbsession: Session) -> None:
    source = make_data_set(dbsession, "Source")
    generate_products(source, products=300, seed=3)
    exported = _export(source)
    assert list(_sheets(exported)) == list(SHEETS)
    assert _sheets(exported)["products"][0] == SHEETS["products"]

    target = make_data_set(dbsession, "Target")
    counts = import_data_set(target, io.BytesIO(exported))
    assert counts == product_counts(dbsession, source.id)
    assert _sheets(_export(target)) == _sheets(exported)
    assert preferred_costs_out_of_step(dbsession) == []
    check_search_index(dbsession)  # the imported products, indexed at the end (SQLite)


def test_import_reads_typed_and_untyped_cells(dbsession: Session) -> None:
    data_set = make_data_set(dbsession)
    counts = import_data_set(data_set, io.BytesIO(make_xlsx(_valid())))
    assert counts == {"departments": 2, "vendors": 2, "products": 2, "product_costs": 3}
    products = _sheets(_export(data_set))["products"]
    assert products[1:] == [
        (UPC_1, "Whole Milk", "Sunny Dairy", "1 gal", 2, 4.49, 12, True),
        (UPC_2, "Pasta", None, "16 oz", 1, 1.99, 0, True),
    ]


def test_import_from_a_path_and_from_a_stream_that_cannot_seek(
    dbsession: Session, tmp_path: Path
) -> None:
    path = tmp_path / "catalog.xlsx"
    path.write_bytes(make_xlsx(_valid()))
    assert import_data_set(make_data_set(dbsession, "A"), path)["products"] == 2

    pipe = OneWayStream(path.read_bytes())
    assert import_data_set(make_data_set(dbsession, "B"), pipe)["products"] == 2  # type: ignore[arg-type]


def _broken(sheet: str, row: int, values: list[Any] | None) -> dict[str, list[list[Any]]]:
    sheets = _valid()
    if values is None:
        del sheets[sheet]
    elif row >= len(sheets[sheet]):
        sheets[sheet].append(values)
    else:
        sheets[sheet][row] = values
    return sheets


def _headed(sheets: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """``sheets`` with every column's header, those a workbook may lack too."""
    for name in ("departments", "vendors"):
        sheets[name][0] = list(SHEETS[name])
    return sheets


# Problems in rows; a missing sheet or column is the next test's.
BAD_INPUTS = {
    "bad number": (
        _broken("products", 2, [UPC_2, "Pasta", None, None, 1, "cheap", None, None]),
        "In sheet 'products', row 3: regular_price: 'cheap' is not a number.",
    ),
    "bad upc": (
        _broken("products", 2, ["UPC-ABC", "Pasta", None, None, 1, 1, None, None]),
        "In sheet 'products', row 3: upc: 'UPC-ABC' is not a UPC: only digits are allowed.",
    ),
    "missing value": (
        _broken("departments", 2, [2, None]),
        "In sheet 'departments', row 3: name: a value is needed.",
    ),
    "repeated key": (
        _broken("departments", 3, [1, "Grocery again"]),
        "In sheet 'departments', row 4: number 1 is also on row 2.",
    ),
    "repeated upc": (
        _broken("products", 3, ["12345678905", "Milk again", None, None, 2, 1, 0, True]),
        f"In sheet 'products', row 4: UPC {UPC_1} is also on row 2.",
    ),
    "unknown department": (
        _broken("products", 2, [UPC_2, "Pasta", None, None, 9, 1, 0, True]),
        "In sheet 'products', row 3: department_number 9 is not on the departments sheet.",
    ),
    "unknown product": (
        _broken("product_costs", 4, ["999", "FARM", None, 1, 1, 1, False]),
        "In sheet 'product_costs', row 5: UPC 00000000000999 is not on the products sheet.",
    ),
    "unknown vendor": (
        _broken("product_costs", 4, [UPC_2, "NOPE", None, 1, 1, 1, False]),
        "In sheet 'product_costs', row 5: vendor NOPE is not on the vendors sheet.",
    ),
    "two preferred": (
        _broken("product_costs", 2, [UPC_1, "GLNF", 77, 4, 12.4, 3.1, True]),
        f"row 3: UPC {UPC_1}, vendor GLNF: another cost of this UPC is preferred, on row 2.",
    ),
    "target margin of 100": (
        _headed(_broken("departments", 2, [2, "Dairy", 100])),
        "In sheet 'departments', row 3: target_margin: 100 is too large.",
    ),
    "unknown default department": (
        _headed(_broken("vendors", 2, ["GLNF", "Great Lakes", 9])),
        "In sheet 'vendors', row 3: default_department_number 9 is not on the departments sheet.",
    ),
    "bad case size": (
        _broken("product_costs", 3, [UPC_2, "GLNF", "X-1", 0, 10.8, 0.9, True]),
        "In sheet 'product_costs', row 4: case_size: 0 is less than 1.",
    ),
}


@pytest.mark.parametrize(("sheets", "message"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_a_bad_file_says_where_and_imports_nothing(
    dbsession: Session, sheets: dict[str, list[list[Any]]], message: str
) -> None:
    data_set = make_data_set(dbsession)
    with pytest.raises(TaskError) as caught:
        import_data_set(data_set, io.BytesIO(make_xlsx(sheets)))
    assert message in str(caught.value)
    assert str(caught.value).startswith("Nothing was imported.")
    # Not even before the caller rolls back: the import's savepoint is undone.
    assert set(product_counts(dbsession, data_set.id).values()) == {0}
    # The search's trigger is back: a good file afterwards is indexed as it loads.
    import_data_set(data_set, io.BytesIO(make_xlsx(_valid())))
    check_search_index(dbsession)


def test_repeats_across_batches_are_found_too(
    dbsession: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dataset_io, "BATCH", 1)
    sheets = _broken("products", 3, ["12345678905", "Milk again", None, None, 2, 1, 0, True])
    sheets["product_costs"].append([UPC_1, "FARM", "1002", 1, 1, 1, False])
    data_set = make_data_set(dbsession)
    with pytest.raises(TaskError, match=f"row 4: UPC {UPC_1} is also on an earlier row"):
        import_data_set(data_set, io.BytesIO(make_xlsx(sheets)))
    sheets = _valid()
    sheets["product_costs"].append([UPC_1, "FARM", "1002", 1, 1, 1, False])
    with pytest.raises(TaskError, match=r"row 5: .* vendor FARM: this vendor's cost is also on an"):
        import_data_set(data_set, io.BytesIO(make_xlsx(sheets)))
    assert set(product_counts(dbsession, data_set.id).values()) == {0}


def test_many_problems_are_listed_then_reading_stops(dbsession: Session) -> None:
    sheets = _valid()
    sheets["products"] += [[str(n), "Item", None, None, 1, "free", 0, True] for n in range(1, 40)]
    with pytest.raises(TaskError) as caught:
        import_data_set(make_data_set(dbsession), io.BytesIO(make_xlsx(sheets)))
    lines = str(caught.value).splitlines()
    assert lines[0] == "Nothing was imported. The file has these problems:"
    assert lines[1] == "- sheet 'products', row 4: regular_price: 'free' is not a number"
    assert len(lines) == 22
    assert lines[-1] == "(reading stopped after 20 problems)"


def test_not_a_workbook_and_a_data_set_with_data_are_refused(dbsession: Session) -> None:
    with pytest.raises(TaskError, match="not a data set workbook: this file is not an Excel"):
        import_data_set(make_data_set(dbsession), io.BytesIO(b"upc,description\n1,Milk\n"))
    data_set = make_data_set(dbsession, "Full")
    import_data_set(data_set, io.BytesIO(make_xlsx(_valid())))
    with pytest.raises(TaskError, match="has data already"):
        import_data_set(data_set, io.BytesIO(make_xlsx(_valid())))


def test_a_workbook_without_the_sheets_or_columns_is_named_before_any_row_is_read(
    dbsession: Session,
) -> None:
    data_set = make_data_set(dbsession)
    # A bad department row, and no vendors sheet: the missing sheet is what the file is
    # refused for, not the first sheet's rows.
    no_vendors = _broken("departments", 1, ["one", "Grocery"])
    del no_vendors["vendors"]
    refused = {
        ": this workbook has no sheet named 'vendors'": no_vendors,
        ". In sheet 'products': missing required columns: regular_price": _broken(
            "products", 0, ["upc", "description", "brand", "size", "department_number"]
        ),
        ": this file is not an Excel workbook": {},
    }
    for message, sheets in refused.items():
        data = make_xlsx(sheets) if sheets else b"upc,description\n1,Milk\n"
        with pytest.raises(TaskError) as caught:
            import_data_set(data_set, io.BytesIO(data))
        assert str(caught.value).startswith(f"This is not a data set workbook{message}")
    assert set(product_counts(dbsession, data_set.id).values()) == {0}


def test_the_sample_store_and_its_vendor_catalog(dbsession: Session) -> None:
    data = resources.files("poser") / "data"
    with resources.as_file(data / "sample_store.xlsx") as path:
        assert path.stat().st_size < 1024 * 1024
        counts = import_data_set(make_data_set(dbsession), path)
    assert counts["products"] == 3000
    assert counts["departments"] == 15
    with resources.as_file(data / "sample_store.xlsx") as path:
        upcs = {row[0] for row in _sheets(path.read_bytes())["products"][1:]}
    with (
        resources.as_file(data / "sample_vendor_catalog.csv") as path,
        open_table(path, columns=CATALOG_COLUMNS) as table,
    ):
        rows = list(table)
    assert len(rows) == 500
    known = [row for row in rows if normalize_upc(row.values["upc"]) in upcs]
    assert len(rows) - len(known) == 20
    assert all(row.values["case_cost"] and row.values["vendor_item_code"] for row in rows)


def test_target_margins_and_vendors_default_departments_go_through_export_import_and_copy(
    dbsession: Session,
) -> None:
    sheets = _valid()
    sheets["departments"] = [list(SHEETS["departments"]), [1, "Grocery", 30], [2, "Dairy", None]]
    sheets["vendors"] = [
        list(SHEETS["vendors"]),
        ["FARM", "Family Farms", 2],
        ["GLNF", "Great Lakes", None],
    ]
    source = make_data_set(dbsession, "Source")
    import_data_set(source, io.BytesIO(make_xlsx(sheets)))
    exported = _sheets(_export(source))
    assert exported["departments"] == [
        SHEETS["departments"],
        (1, "Grocery", 30),
        (2, "Dairy", None),
    ]
    assert exported["vendors"][1:] == [("FARM", "Family Farms", 2), ("GLNF", "Great Lakes", None)]

    target = make_data_set(dbsession, "Target")
    import_data_set(target, io.BytesIO(_export(source)))
    assert _sheets(_export(target)) == exported
    copy = copy_data_set(source, "Copy", None)
    dbsession.flush()
    assert _sheets(_export(copy)) == exported
    # The copy's vendor follows the copy's own department, not the source's.
    farm = dbsession.scalars(
        select(Vendor).where(Vendor.data_set_id == copy.id, Vendor.code == "FARM")
    ).one()
    dairy = dbsession.get(Department, farm.default_department_id)
    assert (dairy.data_set_id, dairy.name, dairy.target_margin) == (copy.id, "Dairy", None)
