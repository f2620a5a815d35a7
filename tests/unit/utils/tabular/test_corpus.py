"""The small corpus of real-looking bad and quirky files in tests/corpus/catalog."""

from __future__ import annotations

import pytest

from poser.utils.tabular import CATALOG_COLUMNS, Row, TabularError, open_table
from tests.unit.utils.tabular.builders import CORPUS


def read(name: str) -> tuple[dict[str, object], list[Row]]:
    with open_table(CORPUS / name, columns=CATALOG_COLUMNS) as table:
        info = {
            "format": table.format,
            "encoding": table.encoding,
            "delimiter": table.delimiter,
            "headers": table.headers,
            "has_rows": table.has_rows,
        }
        return info, list(table)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", r"^the file is empty$"),
        ("blank_lines.csv", r"^the file is empty$"),
        ("missing_columns.csv", r"^missing required column: UPC \(headers accepted: UPC, "),
        ("garbage.bin", r"^this file is not text: .* control characters"),
        ("not_really.xlsx", r"^not_really.xlsx is named like an Excel workbook but is not one"),
    ],
)
def test_files_refused_as_a_whole(name: str, message: str) -> None:
    with pytest.raises(TabularError, match=message):
        read(name)


def test_missing_columns_lists_the_headers_found() -> None:
    with pytest.raises(TabularError, match=r"Headers found: 'Item Description', 'Brand', 'Pack'$"):
        read("missing_columns.csv")


def test_header_only() -> None:
    info, rows = read("header_only.csv")
    assert info["headers"] == ("upc", "description", "unit_cost")
    assert info["has_rows"] is False
    assert rows == []


def test_cp1252() -> None:
    info, rows = read("cp1252.csv")
    assert info["encoding"] == "cp1252"
    assert [r.values["description"] for r in rows] == ["Café crème", "Jalapeño “hot” sauce"]
    assert rows[0].values["unit_cost"] == "€2.50"


def test_utf8_bom() -> None:
    info, rows = read("utf8_bom.csv")
    assert info["encoding"] == "utf-8-sig"
    assert rows[0].values == {"upc": "0001", "description": "Crème brûlée", "unit_cost": "3.10"}


def test_semicolon() -> None:
    info, rows = read("semicolon.csv")
    assert info["delimiter"] == ";"
    assert rows[0].values == {
        "upc": "0001",
        "description": "Apples, red, loose",
        "unit_cost": "1,50",
        "case_size": "12",
    }


def test_quoted_newlines() -> None:
    _, rows = read("quoted_newlines.csv")
    assert [(r.line, r.values["upc"]) for r in rows] == [(2, "0001"), (4, "0002"), (7, "0003")]
    assert rows[1].values["description"] == "Three\r\nline\r\ndescription"


def test_unterminated_quote() -> None:
    with pytest.raises(TabularError, match=r"^line 3: a quoted value starts on this line"):
        read("unterminated_quote.csv")


def test_shifted_columns() -> None:
    _, rows = read("shifted_columns.csv")
    assert [(r.line, len(r.errors)) for r in rows] == [(2, 1), (3, 0)]
    assert "4 values but the header has 3 columns" in rows[0].errors[0].message
