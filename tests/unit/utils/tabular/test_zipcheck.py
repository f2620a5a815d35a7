"""The zip checks see each part under the name a reader opens it by, refuse duplicate
names, bound every part a reader inflates, and read next to nothing to decide."""

from __future__ import annotations

import io
import zipfile
from importlib import resources

import pytest
import xlsxwriter
from openpyxl import Workbook

from poser.utils.tabular import DEFAULT_LIMITS, Limits, TabularError, read_xlsx
from poser.utils.tabular.zipcheck import check_zip
from tests.unit.utils.tabular.builders import make_xlsx, rewrite_zip
from tests.unit.utils.tabular.zip_builders import (
    DECOY,
    MB,
    STRINGS,
    CountingStream,
    append_members,
    catalog_sheet,
    decoy_workbook,
    record_opened,
    zip64_directory_claim,
)

SMALL_PARTS = {"[Content_Types].xml", "xl/_rels/workbook.xml.rels"}
CHART_SHEET_RELATIONSHIPS = {
    "xl/chartsheets/_rels/sheet1.xml.rels",
    "xl/drawings/_rels/drawing1.xml.rels",
}
PART_LIMIT = Limits(max_part_bytes=1 * MB)


def _check(data: bytes, limits: Limits = DEFAULT_LIMITS) -> None:
    check_zip(io.BytesIO(data), limits)


def _padded(xml: bytes, size: int) -> bytes:
    """``xml`` grown to ``size`` bytes by a comment, still a valid part."""
    return xml + b"<!--" + b"x" * size + b"-->"


def _chart_sheet_workbook() -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.add_worksheet("Data").write_column(0, 0, [1, 2, 3])
    chart = workbook.add_chart({"type": "column"})
    chart.add_series({"values": "=Data!$A$1:$A$3"})
    workbook.add_chartsheet("Chart").set_chart(chart)
    workbook.close()
    return buffer.getvalue()


def _worksheet_chart_workbook() -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Data")
    sheet.write_column(0, 0, [1, 2, 3])
    chart = workbook.add_chart({"type": "column"})
    chart.add_series({"values": "=Data!$A$1:$A$3"})
    sheet.insert_chart("C1", chart)
    workbook.close()
    return buffer.getvalue()


def _read(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def test_a_case_variant_decoy_is_refused_without_inflating_the_real_part(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = decoy_workbook(2 * MB)
    opened = record_opened(monkeypatch)
    stream = CountingStream(data)
    with pytest.raises(TabularError) as refused:
        check_zip(stream, DEFAULT_LIMITS)
    assert refused.value.message == (
        "this workbook holds two parts whose names differ only in case or slashes, "
        f"{STRINGS!r} and {DECOY!r}; it is damaged or forged and was not opened"
    )
    # Decided from the end record and the central directory: no part is inflated, and
    # what is read is a few hundred bytes of a 100 KB file.
    assert opened == []
    assert stream.bytes_read < 4096 < len(data) // 20
    # The reader refuses it too, before openpyxl opens anything.
    with pytest.raises(TabularError, match="differ only in case"):
        read_xlsx(io.BytesIO(data))
    assert opened == []


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ("xl/styles.xml", "two parts named 'xl/styles.xml'"),
        ("XL/Styles.xml", "'xl/styles.xml' and 'XL/Styles.xml'"),
        ("xl\\styles.xml", "'xl/styles.xml' and 'xl\\\\styles.xml'"),
        ("/xl/styles.xml", "'xl/styles.xml' and '/xl/styles.xml'"),
    ],
    ids=["exact", "case", "backslash", "leading slash"],
)
def test_two_parts_of_one_name_are_refused(extra: str, named: str) -> None:
    data = append_members(catalog_sheet(), [(extra, _read(catalog_sheet(), "xl/styles.xml"))])
    with pytest.raises(TabularError) as refused:
        _check(data)
    assert named in refused.value.message
    assert refused.value.message.endswith("it is damaged or forged and was not opened")


def _strings_renamed(original: bytes, name: str, *, in_manifest: bool) -> bytes:
    """The shared strings moved to ``name``, named by the workbook's relationships, and
    by [Content_Types].xml too when ``in_manifest``."""
    types = _read(original, "[Content_Types].xml")
    if in_manifest:
        types = types.replace(b"/xl/sharedStrings.xml", b"/" + name.encode())
    else:
        types = types.replace(b'<Override PartName="/xl/sharedStrings.xml"', b"<Override")
    rels = _read(original, "xl/_rels/workbook.xml.rels")
    rels = rels.replace(b"sharedStrings.xml", name.removeprefix("xl/").encode())
    replace = {name: _padded(_read(original, STRINGS), 2 * MB), "[Content_Types].xml": types}
    return rewrite_zip(original, {**replace, "xl/_rels/workbook.xml.rels": rels}, drop=[STRINGS])


@pytest.mark.parametrize(
    ("name", "in_manifest"),
    [("xl/text/table.xml", True), ("xl/text/table.xml", False), ("XL/sharedSTRINGS.xml", True)],
    ids=["by content type", "by relationship", "the usual name in another case"],
)
def test_the_text_table_is_found_however_it_is_named(name: str, in_manifest: bool) -> None:
    data = _strings_renamed(catalog_sheet(), name, in_manifest=in_manifest)
    _check(data)  # within the default limits
    with pytest.raises(TabularError) as refused:
        _check(data, Limits(max_shared_strings_bytes=1 * MB))
    assert refused.value.message.startswith(f"the text table of this workbook ({name}) would")


def _workbook_renamed(original: bytes, size: int) -> bytes:
    """The workbook part moved to xl/book.xml (named by [Content_Types].xml) and grown."""
    types = _read(original, "[Content_Types].xml").replace(b"/xl/workbook.xml", b"/xl/book.xml")
    return rewrite_zip(
        original,
        {
            "xl/book.xml": _padded(_read(original, "xl/workbook.xml"), size),
            "xl/_rels/book.xml.rels": _read(original, "xl/_rels/workbook.xml.rels"),
            "[Content_Types].xml": types,
        },
        drop=["xl/workbook.xml", "xl/_rels/workbook.xml.rels"],
    )


def _grown(original: bytes, name: str, *, as_name: str | None = None) -> bytes:
    """``original`` with its part ``name`` grown to 2 MB (and renamed ``as_name``)."""
    grown = {as_name or name: _padded(_read(original, name), 2 * MB)}
    return rewrite_zip(original, grown, drop=[name] if as_name else [])


PARTS_READ_WHOLE = {
    "styles": (lambda: _grown(catalog_sheet(), "xl/styles.xml"), "xl/styles.xml"),
    "styles in another case": (
        lambda: _grown(catalog_sheet(), "xl/styles.xml", as_name="xl/STYLES.xml"),
        "xl/STYLES.xml",
    ),
    "a workbook part named by content type": (
        lambda: _workbook_renamed(catalog_sheet(), 2 * MB),
        "xl/book.xml",
    ),
    "a sheet's relationships": (
        lambda: rewrite_zip(
            catalog_sheet(),
            {"xl/worksheets/_rels/sheet1.xml.rels": _padded(b"<Relationships/>", 2 * MB)},
        ),
        "xl/worksheets/_rels/sheet1.xml.rels",
    ),
    "a chart sheet's chart, two relationships away": (
        lambda: _grown(_chart_sheet_workbook(), "xl/charts/chart1.xml"),
        "xl/charts/chart1.xml",
    ),
}


@pytest.mark.parametrize(("build", "name"), PARTS_READ_WHOLE.values(), ids=PARTS_READ_WHOLE.keys())
def test_a_part_a_reader_holds_whole_is_bounded(build: object, name: str) -> None:
    data = build()  # type: ignore[operator]
    _check(data)  # within the default limits
    with pytest.raises(TabularError) as refused:
        _check(data, PART_LIMIT)
    assert refused.value.message == (
        f"the part {name} of this workbook, which is read whole, would expand to 2 MB, more "
        "than the limit of 1 MB; save it as CSV instead"
    )


def test_parts_read_a_row_at_a_time_or_not_at_all_are_bounded_only_by_the_total() -> None:
    rows = [["UPC", "Description"]] + [[f"{n:012d}", "x" * 40] for n in range(40_000)]
    big_sheet = make_xlsx({"Catalog": rows})
    assert zipfile.ZipFile(io.BytesIO(big_sheet)).getinfo("xl/worksheets/sheet1.xml").file_size > (
        2 * MB
    )
    worksheet_chart = _worksheet_chart_workbook()
    chart = _padded(_read(worksheet_chart, "xl/charts/chart1.xml"), 2 * MB)
    for data in (
        big_sheet,
        # openpyxl's read-only mode leaves a worksheet's charts and pivot caches alone.
        rewrite_zip(worksheet_chart, {"xl/charts/chart1.xml": chart}),
        append_members(catalog_sheet(), [("xl/pivotCache/pivotCacheRecords1.xml", chart)]),
    ):
        _check(data, PART_LIMIT)
        with pytest.raises(TabularError, match=r"^this workbook would expand to [2-5] MB, more"):
            _check(data, Limits(max_uncompressed_bytes=1 * MB))


def test_what_a_real_workbook_costs_to_check(monkeypatch: pytest.MonkeyPatch) -> None:
    openpyxl_book = io.BytesIO()
    Workbook().save(openpyxl_book)
    sample = (resources.files("poser") / "data" / "sample_store.xlsx").read_bytes()
    for data in (catalog_sheet(), _chart_sheet_workbook(), openpyxl_book.getvalue(), sample):
        opened = record_opened(monkeypatch)
        stream = CountingStream(data)
        check_zip(stream, DEFAULT_LIMITS)
        assert set(opened) <= SMALL_PARTS | CHART_SHEET_RELATIONSHIPS
        assert stream.bytes_read < 8 * 1024
        monkeypatch.undo()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: append_members(b"", [("catalog.csv", b"UPC\n1\n")]),
            "this file is a zip archive but not an Excel workbook (.xlsx)",
        ),
        (
            lambda: rewrite_zip(catalog_sheet(), {}, drop=["[Content_Types].xml"]),
            "this file is a zip archive but not an Excel workbook (.xlsx)",
        ),
        (
            lambda: rewrite_zip(catalog_sheet(), {}, drop=["xl/workbook.xml"]),
            "this workbook is damaged: the part that lists its sheets is missing",
        ),
        (
            lambda: rewrite_zip(catalog_sheet(), {"[Content_Types].xml": b"<Types"}),
            "this workbook is damaged ([Content_Types].xml: unclosed token: line 1, column 0)",
        ),
        (
            lambda: rewrite_zip(
                catalog_sheet(), {"[Content_Types].xml": _padded(b"<Types/>", 2 * MB)}
            ),
            "the part [Content_Types].xml of this workbook is implausibly large for what it "
            "holds; the file is damaged or not a real spreadsheet",
        ),
        (
            lambda: b"PK\x03\x04" + b"\0" * 100,
            "this file is not an Excel workbook (.xlsx): it is not a zip archive. "
            "It may be damaged or truncated, or another kind of file with an .xlsx name",
        ),
    ],
    ids=[
        "a zip of a CSV",
        "no manifest",
        "no workbook part",
        "a damaged manifest",
        "an enormous manifest",
        "not a zip",
    ],
)
def test_no_workbook_is_named_as_such(build: object, message: str) -> None:
    with pytest.raises(TabularError) as refused:
        _check(build())  # type: ignore[operator]
    assert refused.value.message == message


def _many_members(count: int) -> bytes:
    return append_members(catalog_sheet(), [(f"m/{n}", b"") for n in range(count)])


def _directory_bytes(data: bytes) -> int:
    return int.from_bytes(data[-10:-6], "little")  # the end record's size of the list


def test_a_long_list_of_parts_is_refused_before_zipfile_reads_it() -> None:
    data = _many_members(2_000)
    assert 100 * 1024 < _directory_bytes(data) < 110 * 1024
    stream = CountingStream(data)
    with pytest.raises(TabularError) as refused:
        check_zip(stream, Limits(max_directory_bytes=64 * 1024))
    assert refused.value.message == (
        f"the list of parts of this workbook takes {_directory_bytes(data) / 1024:,.0f} KB, "
        "more than the 64 KB a real spreadsheet needs; it is damaged or forged and was not "
        "opened"
    )
    assert stream.bytes_read < 128  # the end records only: the list itself is never read
    check_zip(io.BytesIO(data), DEFAULT_LIMITS)  # within the default limit


def test_the_list_size_is_taken_from_a_zip64_end_record_as_zipfile_takes_it() -> None:
    data = _many_members(2_000)
    size = _directory_bytes(data)
    # The plain end record claims a tiny list; the zip64 record before it tells the truth,
    # and zipfile believes the zip64 record.
    lying = data[:-10] + (100).to_bytes(4, "little") + data[-6:]
    forged = zip64_directory_claim(lying, size)
    members = len(zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert len(zipfile.ZipFile(io.BytesIO(forged)).infolist()) == members
    with pytest.raises(TabularError, match=f"takes {size / 1024:,.0f} KB, more than the 64 KB"):
        check_zip(io.BytesIO(forged), Limits(max_directory_bytes=64 * 1024))


def test_an_archive_comment_is_passed_over_as_zipfile_passes_it() -> None:
    commented = io.BytesIO(_many_members(2_000))
    with zipfile.ZipFile(commented, "a") as archive:
        archive.comment = b"PK made by a vendor's system"
    data = commented.getvalue()
    assert not data.endswith(b"\0\0")
    check_zip(io.BytesIO(data), DEFAULT_LIMITS)
    with pytest.raises(TabularError, match="the list of parts of this workbook takes 1"):
        check_zip(io.BytesIO(data), Limits(max_directory_bytes=64 * 1024))
