"""Refusing a workbook whose zip structure could exhaust memory or time, before anything
big is inflated.

An .xlsx file is a zip archive. Everything here reads only the end of the file, the
central directory and the few small parts that name the others ([Content_Types].xml and
relationship parts, see `zipparts`), so a hostile file costs next to nothing to refuse:
`check_zip` is cheap enough to run while the operator waits.

Each member is checked under the name a reader opens it by. Readers look names up
exactly (openpyxl, through zipfile, which keeps the last of two equal names) or in any
case (calamine), so an archive holding two members whose names differ only in case or
slashes is refused whatever they hold: otherwise a small decoy could be checked in place
of the big part a reader opens.

The sizes in the central directory can be trusted: zipfile stops inflating a member at
its declared size and fails its CRC check, so a member cannot grow past what it declares.
"""

from __future__ import annotations

import os
import struct
import zipfile
from typing import BinaryIO

from poser.utils.tabular.errors import TabularError
from poser.utils.tabular.limits import MB, Limits
from poser.utils.tabular.zipparts import fold, parts_read

__all__ = ["NOT_A_ZIP", "check_archive", "check_zip", "is_spreadsheet"]

NOT_A_ZIP = (
    "this file is not an Excel workbook (.xlsx): it is not a zip archive. "
    "It may be damaged or truncated, or another kind of file with an .xlsx name"
)

# The end of central directory record, and the zip64 locator and record before it, as
# zipfile reads them (APPNOTE.TXT 4.3.14-16).
_END = struct.Struct("<4s4H2LH")
_END_SIGNATURE = b"PK\x05\x06"
_END_MAX_COMMENT = 0xFFFF
_LOCATOR = struct.Struct("<4sLQL")
_LOCATOR_SIGNATURE = b"PK\x06\x07"
_END64 = struct.Struct("<4sQ2H2L4Q")
_END64_SIGNATURE = b"PK\x06\x06"
# What zipfile raises on a malformed archive; running out of memory is not one of them.
_MALFORMED = (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error)


def check_zip(stream: BinaryIO, limits: Limits) -> None:
    """Raise TabularError unless ``stream`` (seekable, the archive from its first byte)
    is a workbook whose parts may all be read within ``limits``.

    The central directory's size is taken from the end record before zipfile reads it:
    zipfile holds an object per member, so a 50 MB upload that is all directory would
    otherwise cost hundreds of MB to look at. The stream is left anywhere.
    """
    size = _directory_bytes(stream)
    if size is None:
        raise TabularError(NOT_A_ZIP)
    if size > limits.max_directory_bytes:
        raise TabularError(
            f"the list of parts of this workbook takes {_size(size)}, more than the "
            f"{_size(limits.max_directory_bytes)} a real spreadsheet needs; it is damaged "
            "or forged and was not opened"
        )
    try:
        archive = zipfile.ZipFile(stream)
    except _MALFORMED:
        raise TabularError(NOT_A_ZIP) from None
    with archive:
        check_archive(archive, limits)


def check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Raise TabularError when reading `archive` as a workbook could exhaust memory or
    disk, or when it is no workbook at all."""
    infos = archive.infolist()
    if len(infos) > limits.max_zip_members:
        raise TabularError(
            f"this workbook holds {len(infos):,} parts, more than the limit of "
            f"{limits.max_zip_members:,}; it is damaged or not a real spreadsheet"
        )
    members = _unique_names(infos)
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise TabularError(
            f"this workbook would expand to {total / MB:,.0f} MB, more than the limit of "
            f"{limits.max_uncompressed_bytes / MB:,.0f} MB; split it into smaller files "
            "or save it as CSV"
        )
    strings, whole = parts_read(archive, members)
    for info in strings:
        if info.file_size > limits.max_shared_strings_bytes:
            raise TabularError(
                f"the text table of this workbook ({info.filename}) would expand to "
                f"{info.file_size / MB:,.0f} MB, more than the limit of "
                f"{limits.max_shared_strings_bytes / MB:,.0f} MB; save it as CSV instead"
            )
    for info in whole:
        if info.file_size > limits.max_part_bytes:
            raise TabularError(
                f"the part {info.filename} of this workbook, which is read whole, would "
                f"expand to {info.file_size / MB:,.0f} MB, more than the limit of "
                f"{limits.max_part_bytes / MB:,.0f} MB; save it as CSV instead"
            )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= limits.ratio_check_min_bytes and ratio > limits.max_compression_ratio:
            raise TabularError(
                f"the part {info.filename} of this workbook is compressed {ratio:,.0f} to 1, "
                f"more than the {limits.max_compression_ratio:,.0f} to 1 a real spreadsheet "
                "reaches; the file looks like a zip bomb and was not opened"
            )


def is_spreadsheet(archive: zipfile.ZipFile) -> bool:
    """Whether a zip archive is a SpreadsheetML package rather than some other zip."""
    return any(name.lower().startswith("xl/") for name in archive.namelist())


def _size(count: int) -> str:
    return f"{count / MB:,.0f} MB" if count >= MB else f"{count / 1024:,.0f} KB"


def _unique_names(infos: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """Every member by its folded name; TabularError when two share one."""
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        key = fold(info.filename)
        other = members.get(key)
        if other is not None:
            named = (
                f"two parts named {info.filename!r}"
                if other.filename == info.filename
                else f"two parts whose names differ only in case or slashes, "
                f"{other.filename!r} and {info.filename!r}"
            )
            raise TabularError(
                f"this workbook holds {named}; it is damaged or forged and was not opened"
            )
        members[key] = info
    return members


def _directory_bytes(stream: BinaryIO) -> int | None:
    """The central directory's size as zipfile will find it, or None without an end
    record. zipfile takes the last 22 bytes when they are an end record without a
    comment, else the last end signature within a comment's reach, and then a zip64
    record just before it, when there is one: the larger of the two sizes is kept."""
    end = stream.seek(0, os.SEEK_END)
    if end < _END.size:
        return None
    stream.seek(end - _END.size)
    record = stream.read(_END.size)
    at = end - _END.size
    if not (record.startswith(_END_SIGNATURE) and record.endswith(b"\0\0")):
        tail_start = max(end - _END_MAX_COMMENT - 1 - _END.size, 0)
        stream.seek(tail_start)
        tail = stream.read(end - tail_start)
        found = tail.rfind(_END_SIGNATURE)
        if found < 0 or len(tail) - found < _END.size:
            return None
        at = tail_start + found
        record = tail[found : found + _END.size]
    size: int = _END.unpack(record)[5]
    if at >= _LOCATOR.size + _END64.size:
        stream.seek(at - _LOCATOR.size - _END64.size)
        before = stream.read(_END64.size + _LOCATOR.size)
        record64, locator = before[: _END64.size], before[_END64.size :]
        if locator.startswith(_LOCATOR_SIGNATURE) and record64.startswith(_END64_SIGNATURE):
            size = max(size, _END64.unpack(record64)[8])
    return size
