"""Telling the format of a file by its first bytes, never by its name."""

from __future__ import annotations

from typing import Literal

from poser.utils.tabular.errors import TabularError
from poser.utils.tabular.text import check_text

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
# The OLE2 container of .xls, .doc and .msg files.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
