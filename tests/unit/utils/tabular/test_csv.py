"""Reading CSV: delimiters, quoting, line numbers, blank lines, limits, streaming."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest

from poser.utils.tabular import CATALOG_COLUMNS, Limits, Row, TabularError, read_csv
from poser.utils.tabular.csv_reader import sniff_delimiter

MB = 1024 * 1024


def read_all(data: bytes, **kwargs: object) -> list[Row]:
    with read_csv(io.BytesIO(data), **kwargs) as table:  # type: ignore[arg-type]
        return list(table)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter(delimiter: str) -> None:
    lines = [["UPC", "Description", "Unit Cost"], ["0001", "Apples", "1.50"], ["0002", "", "2"]]
    data = "".join(delimiter.join(line) + "\r\n" for line in lines).encode()
    with read_csv(io.BytesIO(data), columns=CATALOG_COLUMNS) as table:
        assert table.delimiter == delimiter
        rows = list(table)
    assert [r.values for r in rows] == [
        {"upc": "0001", "description": "Apples", "unit_cost": "1.50"},
        {"upc": "0002", "description": None, "unit_cost": "2"},
    ]


def test_semicolons_win_over_commas_inside_values() -> None:
    data = b"UPC;Description;Unit Cost\n0001;Apples, red, loose;1,50\n0002;Pears, green;2,25\n"
    with read_csv(io.BytesIO(data), columns=CATALOG_COLUMNS) as table:
        assert table.delimiter == ";"
        assert [r.values["unit_cost"] for r in table] == ["1,50", "2,25"]


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("UPC;Description;Cost\n", ";"),  # one line: the sniffer gives up, counting decides
        ('"UPC,code"|Description|Cost\n1|a|2\n', "|"),  # commas inside quotes do not count
        ("UPC\tDescription\n1\tx\n", "\t"),
        ("UPC\n0001\n0002\n", ","),  # a single column: any delimiter will do
        ("\n\n", ","),
    ],
)
def test_sniff_delimiter(sample: str, expected: str) -> None:
    assert sniff_delimiter(sample, complete=True) == expected


def test_quoted_newlines_keep_the_line_where_each_row_starts() -> None:
    data = (
        b"UPC,Description,Unit Cost\r\n"
        b'0001,"Two-line\r\ndescription",1.00\r\n'
        b'0002,"Three\nline\rdescription",2.00\r\n'
        b"0003,Plain,3.00\r\n"
    )
    rows = read_all(data, columns=CATALOG_COLUMNS)
    assert [r.line for r in rows] == [2, 4, 7]
    assert rows[0].values["description"] == "Two-line\r\ndescription"
    assert rows[1].values["description"] == "Three\nline\rdescription"


def test_blank_lines_are_skipped_and_counted() -> None:
    data = b"\r\nUPC,Description\r\n\r\n0001,a\r\n , \r\n,,,\r\n0002,b\r\n"
    with read_csv(io.BytesIO(data)) as table:
        assert table.header_line == 2
        rows = list(table)
    assert [(r.line, r.values["upc"]) for r in rows] == [(4, "0001"), (7, "0002")]


def test_values_are_stripped_and_empty_ones_are_none() -> None:
    [row] = read_all(b"UPC,Description,Brand\r\n  0001 ,   ,\r\n")
    assert row.values == {"upc": "0001", "description": None, "brand": None}


def test_a_short_row_leaves_the_missing_columns_none() -> None:
    [row] = read_all(b"UPC,Description,Brand\n0001\n")
    assert row.values == {"upc": "0001", "description": None, "brand": None}
    assert row.errors == ()


def test_an_unquoted_delimiter_inside_a_value_is_a_row_error() -> None:
    rows = read_all(b"UPC,Description,Unit Cost\n0001,Apples, red,1.00\n0002,Pears,2.00\n")
    assert [str(e) for e in rows[0].errors] == [
        "line 2: this row has 4 values but the header has 3 columns "
        "(an unquoted separator inside a value?)"
    ]
    assert rows[1].errors == ()


def test_trailing_empty_cells_are_not_extra_values() -> None:
    [row] = read_all(b"UPC,Description\n0001,a,,,,\n")
    assert row.errors == ()


def test_a_malformed_row_is_a_row_error_and_reading_goes_on() -> None:
    rows = read_all(b'UPC,Description\n0001,"Apples" red\n0002,Pears\n')
    assert rows[0].line == 2
    assert rows[0].values == {"upc": None, "description": None}
    assert "not valid CSV" in rows[0].errors[0].message
    assert (rows[1].line, rows[1].values["upc"], rows[1].errors) == (3, "0002", ())


def test_a_quote_never_closed_fails_the_file_at_its_line() -> None:
    data = b'UPC,Description\n0001,Plain\n0002,"Never closed\n0003,Plain\n'
    with read_csv(io.BytesIO(data)) as table, pytest.raises(TabularError) as caught:
        list(table)
    assert caught.value.line == 3
    assert "never closed" in str(caught.value)


def test_a_cell_over_the_limit_fails_at_its_line_and_column() -> None:
    data = b"UPC,Description\n0001,ok\n0002," + b"x" * 10_001 + b"\n"
    with read_csv(io.BytesIO(data)) as table, pytest.raises(TabularError) as caught:
        list(table)
    assert str(caught.value) == (
        "line 3: the value in column 'Description' has 10,001 characters, "
        "more than the limit of 10,000"
    )


def test_the_cell_limit_is_a_parameter() -> None:
    with pytest.raises(TabularError, match=r"^line 2: .* more than the limit of 5$"):
        read_all(b"UPC\n123456\n", limits=Limits(max_cell_chars=5))


def test_a_line_without_end_is_not_read_whole() -> None:
    data = b"UPC,Description\n" + b"x" * 5000
    with pytest.raises(TabularError, match=r"^line 2: a row is longer than 1,000 characters"):
        read_all(data, limits=Limits(max_row_chars=1000))


def test_a_quoted_value_spanning_many_lines_is_bounded_too() -> None:
    data = b'UPC,Description\n0001,"' + b"line\n" * 1000 + b'"\n'
    with pytest.raises(TabularError, match=r"^line 2: a row is longer than 1,000 characters"):
        read_all(data, limits=Limits(max_row_chars=1000))


def test_too_many_columns() -> None:
    data = ",".join(f"c{i}" for i in range(300)).encode() + b"\n"
    with pytest.raises(TabularError, match=r"^line 1: this row has 300 columns, more than .* 256"):
        read_csv(io.BytesIO(data))


def test_header_only_has_no_rows() -> None:
    with read_csv(io.BytesIO(b"UPC,Description\r\n\r\n")) as table:
        assert table.headers == ("upc", "description")
        assert table.has_rows is False
        assert list(table) == []
        assert table.rows_read == 0


def test_has_rows_is_known_before_iterating_and_loses_nothing() -> None:
    with read_csv(io.BytesIO(b"UPC\n1\n2\n")) as table:
        assert table.has_rows is True
        assert [r.values["upc"] for r in table] == ["1", "2"]
        assert table.rows_read == 2


def test_a_table_streams_once() -> None:
    with read_csv(io.BytesIO(b"UPC\n1\n")) as table:
        list(table)
        with pytest.raises(RuntimeError, match="only once"):
            iter(table)


@pytest.mark.parametrize("data", [b"", b"\r\n \r\n\t\n"])
def test_empty_file(data: bytes) -> None:
    with pytest.raises(TabularError, match=r"^the file is empty"):
        read_csv(io.BytesIO(data))


def test_a_caller_stream_is_left_open_and_a_path_is_closed(tmp_path: Path) -> None:
    stream = io.BytesIO(b"UPC\n1\n")
    with read_csv(stream) as table:
        list(table)
    assert not stream.closed
    path = tmp_path / "catalog.csv"
    path.write_bytes(b"UPC\n1\n")
    with read_csv(path) as table:  # a leaked file would fail the run (ResourceWarning)
        assert [r.values for r in table] == [{"upc": "1"}]


@pytest.mark.slow
def test_a_large_file_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("UPC,Item Description,Brand,Pack,Case Cost,Unit Cost\r\n")
        for i in range(200_000):
            out.write(f"{i:012d},Item number {i} with a description that is long enough to weigh,")
            out.write(f"Brand {i % 50},12,")
            out.write(f"{i % 997}.{i % 100:02d},{i % 89}.{i % 100:02d}\r\n")
    assert path.stat().st_size > 20 * MB  # more than the bound below
    tracemalloc.start()
    try:
        count = 0
        with read_csv(path, columns=CATALOG_COLUMNS) as table:
            for row in table:
                count += 1
                last = row
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert last.line == 200_001
    assert peak < 20 * MB, f"peak traced memory {peak / MB:.1f} MB"
