"""A file's format and, for the binary files operators pick by mistake, what it is:
both told by its first bytes."""

from __future__ import annotations

import pytest

from poser.utils.tabular.sniff import binary_kind, sniff_format
from tests.unit.utils.tabular.builders import make_xlsx


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"%PDF-1.7\n", "a PDF document"),
        (b"\x1f\x8b\x08\x00", "a compressed (gzip) file"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "an old Excel workbook (.xls) or another Office file",
        ),
        (b"PK\x05\x06" + b"\x00" * 18, "a zip archive"),
        (b"upc,qty\n012345678905,3\n", None),
        (b"", None),
    ],
)
def test_a_binary_file_is_named_for_what_it_is(head: bytes, kind: str | None) -> None:
    assert binary_kind(head) == kind


def test_a_workbook_is_xlsx_and_text_is_csv() -> None:
    assert sniff_format(make_xlsx({"Catalog": [["UPC"], ["012345678905"]]})[:65536]) == "xlsx"
    assert sniff_format(b"upc,qty\n012345678905,3\n") == "csv"
    assert sniff_format(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64) is None
