"""Building workbooks and archives for the tests, in memory and in seconds."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import xlsxwriter

CORPUS = Path(__file__).resolve().parents[3] / "corpus" / "catalog"

Rows = Sequence[Sequence[object]]


def make_xlsx(sheets: Mapping[str, Rows], *, date_format: str = "yyyy-mm-dd") -> bytes:
    """An .xlsx workbook with the given sheets, each a list of rows from row 1."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    dates = workbook.add_format({"num_format": date_format})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if hasattr(value, "year"):
                    sheet.write_datetime(r, c, value, dates)
                else:
                    sheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


def rewrite_zip(
    data: bytes, replace: Mapping[str, bytes | Iterable[bytes]], *, drop: Sequence[str] = ()
) -> bytes:
    """`data` (a zip) with some members replaced or added; iterables are streamed in."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename not in replace and info.filename not in drop:
                target.writestr(info, source.read(info))
        for name, content in replace.items():
            with target.open(name, "w") as member:
                for chunk in [content] if isinstance(content, bytes) else content:
                    member.write(chunk)
    return out.getvalue()


def repeat(chunk: bytes, total: int) -> Iterable[bytes]:
    """`total` bytes made of `chunk` repeated, produced piece by piece."""
    block = chunk * max(1, (1024 * 1024) // len(chunk))
    written = 0
    while written < total:
        piece = block[: total - written]
        written += len(piece)
        yield piece


class OneWayStream(io.RawIOBase):
    """A readable stream that cannot seek, like an upload or an object-store body."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
