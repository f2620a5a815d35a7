"""Header normalization, catalog aliases, per-vendor mappings, required columns."""

from __future__ import annotations

import io

import pytest

from poser.utils.tabular import (
    CATALOG_COLUMNS,
    Columns,
    ColumnSpec,
    TabularError,
    normalize_header,
    read_csv,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("  UPC  ", "upc"),
        ("Vendor Item #", "vendor item"),
        ("Cost/Case ($)", "cost case"),
        ("unit_cost", "unit cost"),
        ("Item\u00a0\u00a0Description", "item description"),  # non-breaking spaces
        ("\uff35\uff30\uff23", "upc"),  # full-width letters, as some exports have
        ("Case   Pack.", "case pack"),
        ("STRASSE", "strasse"),
        ("###", ""),
    ],
)
def test_normalize_header(header: str, expected: str) -> None:
    assert normalize_header(header) == expected


@pytest.mark.parametrize(
    ("canonical", "headers"),
    [
        ("upc", ["UPC", "Item UPC", "UPC Code", "Barcode", "GTIN", "upc_code"]),
        (
            "vendor_item_code",
            ["Vendor Item #", "Vendor Item Code", "Item #", "Item Number", "SKU", "item no."],
        ),
        ("description", ["Description", "Item Description", "Product Name"]),
        ("brand", ["Brand", "BRAND NAME"]),
        ("size", ["Size", "Unit Size"]),
        ("case_size", ["Pack", "Case Pack", "Case Size", "Units Per Case"]),
        ("case_cost", ["Case Cost", "Cost/Case", "case cost ($)"]),
        ("unit_cost", ["Unit Cost", "Cost", "Each Cost"]),
        ("department", ["Department", "Dept."]),
    ],
)
def test_catalog_aliases(canonical: str, headers: list[str]) -> None:
    for header in headers:
        assert CATALOG_COLUMNS.canonical(header) == canonical, header


def open_csv(data: bytes, **kwargs: object) -> list[object]:
    with read_csv(io.BytesIO(data), **kwargs) as table:  # type: ignore[arg-type]
        return [table.headers, [row.values for row in table]]


def test_rows_are_keyed_by_canonical_name() -> None:
    headers, rows = open_csv(
        b"Barcode,Item #,Product Name,Cost/Case,Notes\n0001,A-1,Apples,12.00,fresh\n",
        columns=CATALOG_COLUMNS,
    )
    assert headers == ("upc", "vendor_item_code", "description", "case_cost", "notes")
    assert rows == [
        {
            "upc": "0001",
            "vendor_item_code": "A-1",
            "description": "Apples",
            "case_cost": "12.00",
            "notes": "fresh",
        }
    ]


def test_vendor_mapping_overrides_and_extends_the_aliases() -> None:
    # This vendor's "Cost" is per case, and it calls its item code "Art.-Nr.".
    mapping = {"Cost": "case_cost", "Art.-Nr.": "vendor_item_code", "Internal": None}
    with read_csv(
        io.BytesIO(b"UPC,Art.-Nr.,Cost,Internal\n0001,77,9.50,secret\n"),
        columns=CATALOG_COLUMNS,
        mapping=mapping,
    ) as table:
        assert table.headers == ("upc", "vendor_item_code", "case_cost")
        assert table.source_headers == {
            "upc": "UPC",
            "vendor_item_code": "Art.-Nr.",
            "case_cost": "Cost",
        }
        assert [r.values for r in table] == [
            {"upc": "0001", "vendor_item_code": "77", "case_cost": "9.50"}
        ]


def test_a_mapping_to_an_unknown_column_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown column"):
        CATALOG_COLUMNS.with_mapping({"Cost": "price"})


def test_a_mapping_needs_columns() -> None:
    with pytest.raises(ValueError, match="needs the columns"):
        read_csv(io.BytesIO(b"UPC\n1\n"), mapping={"UPC": "upc"})


def test_specs_that_claim_the_same_alias_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="claimed by a and b"):
        Columns([ColumnSpec("a", ("Code",)), ColumnSpec("b", ("code",))])


def test_missing_required_columns_are_all_named_with_the_headers_found() -> None:
    columns = Columns(
        [
            ColumnSpec("upc", ("UPC", "Barcode"), required=True),
            ColumnSpec("description", ("Description",)),
            ColumnSpec("unit_cost", ("Unit Cost", "Cost"), required=True),
        ]
    )
    with pytest.raises(TabularError) as caught:
        read_csv(io.BytesIO(b"Description,Brand,Pack\nApples,Acme,12\n"), columns=columns)
    message = str(caught.value)
    assert message.startswith("missing required columns: UPC (headers accepted: UPC, Barcode)")
    assert "; Unit Cost (headers accepted: Unit Cost, Cost)" in message
    assert "unit_cost" not in message  # the header people write, not the key
    assert message.endswith("Headers found: 'Description', 'Brand', 'Pack'")


def test_two_headers_meaning_the_same_column_are_refused() -> None:
    with pytest.raises(TabularError, match=r"'UPC' and 'Barcode' both mean UPC"):
        read_csv(io.BytesIO(b"UPC,Description,Barcode\n1,a,2\n"), columns=CATALOG_COLUMNS)


def test_repeated_unknown_headers_are_numbered() -> None:
    headers, rows = open_csv(b"UPC,Note,note.,Note\n1,a,b,c\n")
    assert headers == ("upc", "note", "note 2", "note 3")
    assert rows == [{"upc": "1", "note": "a", "note 2": "b", "note 3": "c"}]


def test_columns_without_header_are_ignored() -> None:
    with read_csv(io.BytesIO(b"UPC,,Description\n1,stray,a\n")) as table:
        assert table.headers == ("upc", "description")
        [row] = table
    assert row.values == {"upc": "1", "description": "a"}
    assert row.errors == ()


def test_unknown_headers_are_listed() -> None:
    with read_csv(io.BytesIO(b"UPC,Shelf,Aisle\n1,2,3\n"), columns=CATALOG_COLUMNS) as table:
        assert table.unknown_headers == ("shelf", "aisle")
