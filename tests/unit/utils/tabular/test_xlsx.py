"""Reading .xlsx workbooks: sheets, cell types, row numbers, damaged and hostile files."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from datetime import date, datetime

import pytest

from poser.utils.tabular import CATALOG_COLUMNS, Limits, TabularError, read_xlsx
from tests.unit.utils.tabular.builders import OneWayStream, make_xlsx, repeat, rewrite_zip

MB = 1024 * 1024
SHEET1 = "xl/worksheets/sheet1.xml"
CATALOG = [
    ["UPC", "Item Description", "Pack", "Unit Cost", "Effective"],
    ["000111", "Apples", 12, 1.25, date(2024, 3, 1)],
    [None, None, None, None, None],
    [123456789012, "  Pears  ", 6.0, 2, datetime(2024, 3, 2, 14, 30)],
    [True, "", None, None, None],
]
PRICES = [["UPC", "Unit Cost"], ["9", 9.99]]


def test_first_sheet_with_numbers_dates_and_text() -> None:
    data = make_xlsx({"Catalog": CATALOG, "Prices": PRICES})
    with read_xlsx(io.BytesIO(data), columns=CATALOG_COLUMNS) as table:
        assert (table.format, table.sheet, table.encoding) == ("xlsx", "Catalog", None)
        assert table.headers == ("upc", "description", "case_size", "unit_cost", "effective")
        rows = list(table)
    assert [r.line for r in rows] == [2, 4, 5]  # the sheet's row numbers; row 3 is blank
    assert rows[0].values == {
        "upc": "000111",
        "description": "Apples",
        "case_size": 12,
        "unit_cost": 1.25,
        "effective": datetime(2024, 3, 1),
    }
    second = rows[1].values
    assert second["upc"] == 123456789012
    assert type(second["upc"]) is int
    assert second["description"] == "Pears"
    assert second["case_size"] == 6  # Excel stores 6.0 as 6
    assert second["effective"] == datetime(2024, 3, 2, 14, 30)
    assert rows[2].values["upc"] is True
    assert rows[2].values["description"] is None


@pytest.mark.parametrize("name", ["Prices", " prices "])
def test_a_named_sheet(name: str) -> None:
    data = make_xlsx({"Catalog": CATALOG, "Prices": PRICES})
    with read_xlsx(io.BytesIO(data), name, columns=CATALOG_COLUMNS) as table:
        assert table.sheet == "Prices"
        assert [(r.line, r.values) for r in table] == [(2, {"upc": "9", "unit_cost": 9.99})]


def test_an_unknown_sheet_lists_the_sheets() -> None:
    data = make_xlsx({"Catalog": CATALOG, "Prices": PRICES})
    with pytest.raises(
        TabularError, match=r"no sheet named 'Costs'; its sheets are: 'Catalog', 'Prices'"
    ):
        read_xlsx(io.BytesIO(data), "Costs")


def test_the_header_row_need_not_be_the_first() -> None:
    data = make_xlsx({"S": [[], [], [None, "UPC", "Cost"], [None, "1", 2]]})
    with read_xlsx(io.BytesIO(data), columns=CATALOG_COLUMNS) as table:
        assert table.header_line == 3
        assert [(r.line, r.values) for r in table] == [(4, {"upc": "1", "unit_cost": 2})]


def test_an_empty_sheet() -> None:
    with pytest.raises(TabularError, match=r"^the sheet 'Empty' is empty$"):
        read_xlsx(io.BytesIO(make_xlsx({"Empty": []})))


def test_header_only_sheet_has_no_rows() -> None:
    with read_xlsx(io.BytesIO(make_xlsx({"S": [["UPC", "Cost"]]}))) as table:
        assert table.has_rows is False
        assert list(table) == []


def read_through(data: bytes, **kwargs: object) -> None:
    with read_xlsx(io.BytesIO(data), **kwargs) as table:  # type: ignore[arg-type]
        list(table)


def test_a_cell_over_the_limit() -> None:
    data = make_xlsx({"S": [["UPC", "Description"], ["1", "ok"], ["2", "x" * 10_001]]})
    with pytest.raises(TabularError) as caught:
        read_through(data)
    assert str(caught.value).startswith("line 3: the value in column 'Description' has 10,001")


def test_a_stream_that_cannot_seek_is_spooled() -> None:
    stream = OneWayStream(make_xlsx({"S": PRICES}))
    with read_xlsx(stream, columns=CATALOG_COLUMNS) as table:  # type: ignore[arg-type]
        assert [r.values for r in table] == [{"upc": "9", "unit_cost": 9.99}]


def test_not_a_zip() -> None:
    with pytest.raises(TabularError, match=r"not an Excel workbook \(.xlsx\): it is not a zip"):
        read_xlsx(io.BytesIO(b"UPC,Description\n1,a\n"))


def test_a_truncated_workbook() -> None:
    data = make_xlsx({"S": PRICES})
    with pytest.raises(TabularError, match="it is not a zip archive"):
        read_xlsx(io.BytesIO(data[: len(data) // 2]))


def test_a_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("catalog.csv", "UPC\n1\n")
    with pytest.raises(TabularError, match="a zip archive but not an Excel workbook"):
        read_xlsx(io.BytesIO(buffer.getvalue()))


def test_a_workbook_with_a_damaged_part() -> None:
    data = rewrite_zip(make_xlsx({"S": PRICES}), {"xl/workbook.xml": b"<workbook"})
    with pytest.raises(TabularError, match="damaged"):
        read_xlsx(io.BytesIO(data))


def test_a_zip_bomb_is_refused_from_its_directory() -> None:
    # 300 MB of zeros deflate to about 300 KB.
    data = rewrite_zip(make_xlsx({"S": PRICES}), {SHEET1: repeat(b"\0", 300 * MB)})
    assert len(data) < 1 * MB
    with pytest.raises(
        TabularError, match=r"would expand to 300 MB, more than the limit of 200 MB"
    ):
        read_xlsx(io.BytesIO(data))


def test_an_absurd_compression_ratio_is_refused() -> None:
    data = rewrite_zip(make_xlsx({"S": PRICES}), {SHEET1: repeat(b"<row/>", 20 * MB)})
    with pytest.raises(TabularError, match=rf"{SHEET1} .* compressed [\d,]+ to 1, .* zip bomb"):
        read_xlsx(io.BytesIO(data))


def test_too_many_parts() -> None:
    data = make_xlsx({"S": PRICES})
    with pytest.raises(TabularError, match=r"holds \d+ parts, more than the limit of 3"):
        read_xlsx(io.BytesIO(data), limits=Limits(max_zip_members=3))


def test_an_enormous_shared_strings_part_is_refused() -> None:
    strings = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
    strings += b'spreadsheetml/2006/main">'
    data = rewrite_zip(
        make_xlsx({"S": [["UPC", "Description"], ["1", "apples"]]}),
        {"xl/sharedStrings.xml": [strings, *repeat(b"<si><t>apples</t></si>", 60 * MB)]},
    )
    with pytest.raises(
        TabularError, match=r"text table .* would expand to 60 MB, more than .* 50 MB"
    ):
        read_xlsx(io.BytesIO(data))


def test_shared_strings_under_another_name_are_found_by_content_type() -> None:
    original = make_xlsx({"S": [["UPC", "Description"], ["1", "apples"]]})
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        strings = archive.read("xl/sharedStrings.xml")
        types = archive.read("[Content_Types].xml").replace(b"/xl/sharedStrings.xml", b"/xl/s.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels").replace(b"sharedStrings.xml", b"s.xml")
    data = rewrite_zip(
        original,
        {
            "xl/s.xml": strings + b"<!--" + b"x" * 2 * MB + b"-->",
            "[Content_Types].xml": types,
            "xl/_rels/workbook.xml.rels": rels,
        },
        drop=["xl/sharedStrings.xml"],
    )
    with read_xlsx(io.BytesIO(data)) as table:  # the renamed part is a working workbook
        assert [r.values for r in table] == [{"upc": "1", "description": "apples"}]
    with pytest.raises(TabularError, match=r"text table of this workbook \(xl/s.xml\)"):
        read_xlsx(io.BytesIO(data), limits=Limits(max_shared_strings_bytes=1 * MB))


def test_far_apart_cells_do_not_allocate_the_space_between() -> None:
    # A few KB whose cells span 1,000 columns by 20,000 rows: a reader that expands the
    # sheet into a grid first (as calamine does) allocates hundreds of MB for it.
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>UPC</t></is></c>'
        b'<c r="ALL1" t="inlineStr"><is><t>Cost</t></is></c></row>'
        b'<row r="20000"><c r="A20000"><v>42</v></c><c r="ALL20000"><v>1.5</v></c></row>'
        b"</sheetData></worksheet>"
    )
    data = rewrite_zip(make_xlsx({"S": [["UPC"]]}), {SHEET1: sheet})
    tracemalloc.start()
    try:
        with read_xlsx(io.BytesIO(data), limits=Limits(max_columns=1000)) as table:
            rows = [(r.line, r.values, r.errors) for r in table]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows == [(20_000, {"upc": 42, "cost": 1.5}, ())]
    assert peak < 20 * MB, f"peak traced memory {peak / MB:.1f} MB"


def test_rows_numbered_past_excels_limit_are_refused() -> None:
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>UPC</t></is></c></row>'
        b'<row r="999999999999"><c r="A999999999999"><v>1</v></c></row>'
        b"</sheetData></worksheet>"
    )
    data = rewrite_zip(make_xlsx({"S": [["UPC"]]}), {SHEET1: sheet})
    with pytest.raises(TabularError) as caught:
        read_through(data)
    assert caught.value.line == 1_048_577
    assert "past Excel's limit" in str(caught.value)
