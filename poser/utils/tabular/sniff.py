"""Telling the format of a file by its first bytes, never by its name."""

from __future__ import annotations

from typing import Literal

from poser.utils.tabular.errors import TabularError
from poser.utils.tabular.text import check_text

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
# The OLE2 container of .xls, .doc and .msg files.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: First bytes of the files operators pick by mistake, and what to call them.
BINARY_KINDS = (
    (ZIP_MAGICS[0], "a spreadsheet (an Excel workbook) or another zip archive"),
    (ZIP_MAGICS[1], "a zip archive"),
    (OLE_MAGIC, "an old Excel workbook (.xls) or another Office file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
)


def binary_kind(head: bytes) -> str | None:
    """What a file whose first bytes are ``head`` is, in words ("a PNG image"), when
    they are those of a binary format operators meet; else None."""
    return next((what for magic, what in BINARY_KINDS if head.startswith(magic)), None)


def sniff_format(head: bytes) -> Literal["xlsx", "csv"] | None:
    """ "xlsx", "csv", or None when the first bytes of a file are neither.

    `head` is the beginning of the file (64 KB is plenty). A zip archive counts as xlsx
    only when its first entries show an Office package; the full check of the archive
    happens when it is opened.
    """
    if not head:
        return None
    if head.startswith(ZIP_MAGICS):
        return "xlsx" if b"xl/" in head or b"[Content_Types].xml" in head else None
    if head.startswith(OLE_MAGIC):
        return None
    try:
        # Not complete: a multi-byte character cut at the end of `head` is not an error.
        check_text(head, complete=False)
    except TabularError:
        return None
    return "csv"
