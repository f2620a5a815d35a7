"""Files laid out as vendors send them: titles above the header, the catalog on a sheet
after a cover, a NUL in one value, numbers in the locale's own style."""

from __future__ import annotations

import io

import pytest

from poser.utils.tabular import (
    CATALOG_COLUMNS,
    Columns,
    ColumnSpec,
    HeaderNotFoundError,
    TabularError,
    open_table,
    read_csv,
)
from poser.utils.tabular.csv_reader import sniff_delimiter
from poser.utils.tabular.table import HEADER_SEARCH_ROWS
from tests.unit.utils.tabular.builders import make_xlsx


def _csv(text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return open_table(io.BytesIO(data), "acme.csv", columns=CATALOG_COLUMNS)


def _xlsx(sheets, sheet: str | None = None):
    return open_table(io.BytesIO(make_xlsx(sheets)), "acme.xlsx", sheet, columns=CATALOG_COLUMNS)


TITLED = (
    "Acme Foods Inc.\r\n"
    "Price list effective 2024-03-01\r\n"
    "\r\n"
    "UPC,Description,Pack,Case Cost\r\n"
    "036000291452,Butter,12,24.00\r\n"
)


def test_title_rows_above_the_header_are_skipped() -> None:
    with _csv(TITLED) as table:
        assert (table.header_line, table.headers) == (
            4,
            ("upc", "description", "case_size", "case_cost"),
        )
        assert table.read_from == "Read the file from line 4 (the header)"
        assert [(row.line, row.values["upc"]) for row in table] == [(5, "036000291452")]


def test_title_rows_do_not_hide_the_delimiter() -> None:
    # The first line has no semicolon, and a comma: the rows under it decide.
    text = "Acme Foods, Inc.\n\nUPC;Description;Case Cost\n1;Apples, red;1,50\n2;Pears;2,25\n"
    assert sniff_delimiter(text, complete=True) == ";"
    with _csv(text) as table:
        assert (table.delimiter, table.header_line) == (";", 3)
        assert [row.values["description"] for row in table] == ["Apples, red", "Pears"]


def test_a_header_below_the_rows_looked_at_is_not_found() -> None:
    titles = "".join(f"Note {n}\n" for n in range(HEADER_SEARCH_ROWS))
    with pytest.raises(HeaderNotFoundError, match=r"^missing required column: UPC "):
        _csv(titles + "UPC,Case Cost\n1,2.00\n")


def test_without_a_header_the_message_shows_the_likeliest_row() -> None:
    text = "Acme Foods\nItem Description,Brand,Pack\nApples,Orchard,12\n"
    with pytest.raises(TabularError) as refused:
        _csv(text)
    assert str(refused.value).endswith("Headers found: 'Item Description', 'Brand', 'Pack'")


def test_columns_that_are_not_required_keep_the_first_row_as_header() -> None:
    # Nothing to look for: every header is kept, as it was written.
    columns = Columns([ColumnSpec("upc"), ColumnSpec("description")])
    with read_csv(io.BytesIO(b"Code,Text\n1,a\n2,b\n"), columns=columns) as table:
        assert (table.header_line, table.headers) == (1, ("code", "text"))
        assert [row.values for row in table] == [
            {"code": "1", "text": "a"},
            {"code": "2", "text": "b"},
        ]


def test_the_sheet_with_the_catalog_is_found_after_a_cover_sheet() -> None:
    cover = [["Acme Foods"], ["Terms: net 30"], [], ["See the sheet Prices"]]
    prices = [["Price list"], ["2024-03-01"], [], ["UPC", "Pack", "Case Cost"], ["1", 12, 24.5]]
    with _xlsx({"Cover": cover, "Empty": [], "Prices": prices}) as table:
        assert (table.sheet, table.header_line) == ("Prices", 4)
        assert table.read_from == "Read the sheet \u201cPrices\u201d from line 4 (the header)"
        assert [(row.line, row.values) for row in table] == [
            (5, {"upc": "1", "case_size": 12, "case_cost": 24.5})
        ]


def test_a_sheet_named_by_the_operator_is_the_only_one_read() -> None:
    sheets = {"Cover": [["Acme Foods"]], "Prices": [["UPC", "Cost"], ["1", 2]]}
    with pytest.raises(HeaderNotFoundError, match=r"^missing required column: UPC"):
        _xlsx(sheets, "Cover")
    with _xlsx(sheets, "prices") as table:
        assert table.sheet == "Prices"


def test_a_workbook_without_a_catalog_names_its_sheets() -> None:
    sheets = {"Cover": [["Acme Foods"]], "Notes": [["Item", "Brand"], ["Apples", "Orchard"]]}
    with pytest.raises(HeaderNotFoundError) as refused:
        _xlsx(sheets)
    assert str(refused.value).startswith(
        "none of the sheets of this workbook ('Cover', 'Notes') has a header row with the "
        "columns needed; in the first, 'Cover': missing required column: UPC"
    )


def test_a_nul_spoils_its_row_only() -> None:
    data = (
        b"UPC,Item Description,Case Cost\r\n"
        b"036000291452,Butter,24.00\r\n"
        b"012345678905,So\x00ap,9.00\r\n"
        b"042100005264,Milk,12.00\r\n"
    )
    with _csv(data) as table:
        rows = list(table)
    assert [(row.line, row.errors) for row in rows if not row.errors] == [(2, ()), (4, ())]
    soap = rows[1]
    # The value reaches no database with its NUL, and the row says why it is refused.
    assert soap.values == {"upc": "012345678905", "description": "Soap", "case_cost": "9.00"}
    assert [(e.line, e.column, e.message) for e in soap.errors] == [
        (
            3,
            "description",
            "Item Description: the value holds a NUL character (invisible, left by a damaged "
            "export), which cannot be stored; correct it in the file",
        )
    ]


def test_a_value_of_nul_alone_is_still_a_row_in_error() -> None:
    with _csv(b"UPC,Case Cost\n1,2.00\n\x00\n3,4.00\n") as table:
        rows = list(table)
    assert [(row.line, len(row.errors)) for row in rows] == [(2, 0), (3, 1), (4, 0)]


def test_a_nul_in_a_title_row_does_not_hide_the_header() -> None:
    with _csv(b"Acme\x00 Foods\nUPC,Case Cost\n1,2.00\n") as table:
        assert table.header_line == 2
        assert [row.values for row in table] == [{"upc": "1", "case_cost": "2.00"}]


@pytest.mark.parametrize(
    ("text", "mark", "read_from"),
    [
        ("UPC;Case Cost\n1;1,250\n", ",", "Read the file from line 1 (the header), numbers "),
        ('UPC,Case Cost\n1,"1,250"\n', ".", "Read the file from line 1 (the header)"),
        ("UPC\tCase Cost\n1\t1,250\n", None, "Read the file from line 1 (the header)"),
        ("UPC\tCase Cost\n1\t1,250\n2\t3,75\n", ",", "Read the file from line 1 (the header), "),
        ("UPC;Case Cost\n1;1.250\n2;3.75\n", ".", "Read the file from line 1 (the header)"),
        # Only numbers count: a description's "1,5 kg" shows nothing.
        ("UPC\tDescription\tCost\n1\tRice 1,5 kg\t1,250\n", None, "Read the file from line"),
    ],
)
def test_the_decimal_mark_of_a_file(text: str, mark: str | None, read_from: str) -> None:
    with _csv(text) as table:
        assert table.decimal_mark == mark
        assert table.read_from.startswith(read_from)
        assert ("decimal comma" in table.read_from) is (mark == ",")


def test_the_rows_read_to_decide_the_decimal_mark_are_all_handed_on() -> None:
    lines = "".join(f"{n},{n}.5\n" for n in range(1, 1200))
    with _csv("UPC,Case Cost\n" + lines) as table:
        assert table.decimal_mark == "."
        assert [row.line for row in table] == list(range(2, 1201))
