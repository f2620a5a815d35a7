"""Forged workbook archives for the zip checks' tests, and a record of what is inflated.

`decoy_workbook` is the attack the checks guard against: the shared strings part
a reader opens is big, and a small one whose name differs only in case sits after it,
where a check that folds names without refusing duplicates would look instead.
"""

from __future__ import annotations

import io
import random
import struct
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from functools import cache

import pytest

from tests.unit.utils.tabular.builders import make_xlsx, rewrite_zip

MB = 1024 * 1024
STRINGS = "xl/sharedStrings.xml"
DECOY = "xl/SHAREDSTRINGS.XML"
_SST = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def catalog_sheet() -> bytes:
    """A small, valid catalog workbook (its text in the shared strings part)."""
    return make_xlsx({"Catalog": [["UPC", "Pack", "Case Cost"], ["012345678905", 6, 9]]})


def shared_strings(size: int, seed: int = 5) -> Iterator[bytes]:
    """A real shared strings part of about ``size`` bytes that deflates about 25 to 1,
    as a text table of distinct values does: well within the ratio a check allows."""
    rng = random.Random(seed)
    yield _SST
    padding = b"x" * 200
    block = 4096
    written = 0
    while written < size:
        items = b"".join(
            b"<si><t>" + rng.randbytes(4).hex().encode() + padding + b"</t></si>"
            for _ in range(block)
        )
        written += len(items)
        yield items
    yield b"</sst>"


def append_members(data: bytes, members: Sequence[tuple[str, bytes]]) -> bytes:
    """``data`` (a zip) with more members after its own; equal names are allowed, as in
    a forged archive (zipfile only warns about them)."""
    out = io.BytesIO(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name: ..."
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
            for name, content in members:
                archive.writestr(name, content)
    return out.getvalue()


@cache
def decoy_workbook(strings_bytes: int = 60 * MB) -> bytes:
    """A valid catalog workbook whose shared strings part (as [Content_Types].xml names
    it) holds ``strings_bytes`` of real text, followed by a tiny decoy whose name differs
    only in case."""
    big = rewrite_zip(catalog_sheet(), {STRINGS: shared_strings(strings_bytes)})
    return append_members(big, [(DECOY, _SST + b"<si><t>UPC</t></si></sst>")])


def zip64_directory_claim(data: bytes, directory_bytes: int) -> bytes:
    """``data`` (a zip without a comment) with a zip64 end record and locator before its
    end record, the zip64 record claiming a central directory of ``directory_bytes``."""
    end = data[-22:]
    assert end.startswith(b"PK\x05\x06")
    entries, _, offset = struct.unpack("<HLL", end[10:20])
    record = struct.pack(
        "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, directory_bytes, offset
    )
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, len(data) - 22, 1)
    return data[:-22] + record + locator + end


def record_opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the members any ZipFile opens to read (and inflate) from now on."""
    opened: list[str] = []
    original = zipfile.ZipFile.open

    def open_(
        self: zipfile.ZipFile, name: object, mode: str = "r", *args: object, **kwargs: object
    ) -> object:
        if mode == "r":
            opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else str(name))
        return original(self, name, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "open", open_)
    return opened


class CountingStream(io.RawIOBase):
    """A seekable stream over ``data`` that counts the bytes read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._inner = io.BytesIO(data)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._inner.seek(offset, whence)

    def tell(self) -> int:
        return self._inner.tell()

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        self.bytes_read += len(data)
        return len(data)
