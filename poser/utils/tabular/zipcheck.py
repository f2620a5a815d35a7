"""Refusing zip bombs before anything is inflated.

An .xlsx file is a zip archive. Everything here reads only the central directory (and
the tiny [Content_Types].xml part), so a hostile file costs nothing to refuse. The sizes
in the central directory can be trusted: zipfile stops inflating a member at its
declared size and fails its CRC check, so a member cannot grow past what it declares.
"""

from __future__ import annotations

import posixpath
import zipfile
from xml.etree import ElementTree

from poser.utils.tabular.errors import TabularError
from poser.utils.tabular.limits import MB, Limits

CONTENT_TYPES = "[Content_Types].xml"
_CONTENT_TYPES_MAX_BYTES = 1 * MB
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)


def check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Raise TabularError when inflating `archive` could exhaust memory or disk."""
    infos = archive.infolist()
    if len(infos) > limits.max_zip_members:
        raise TabularError(
            f"this workbook holds {len(infos):,} parts, more than the limit of "
            f"{limits.max_zip_members:,}; it is damaged or not a real spreadsheet"
        )
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise TabularError(
            f"this workbook would expand to {total / MB:,.0f} MB, more than the limit of "
            f"{limits.max_uncompressed_bytes / MB:,.0f} MB; split it into smaller files "
            "or save it as CSV"
        )
    for info in _shared_strings_parts(archive, infos):
        if info.file_size > limits.max_shared_strings_bytes:
            raise TabularError(
                f"the text table of this workbook ({info.filename}) would expand to "
                f"{info.file_size / MB:,.0f} MB, more than the limit of "
                f"{limits.max_shared_strings_bytes / MB:,.0f} MB; save it as CSV instead"
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


def _shared_strings_parts(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]
) -> list[zipfile.ZipInfo]:
    # openpyxl finds the shared strings by content type, not by name, so a hostile file
    # could give them any name: take the name from [Content_Types].xml, plus the usual one.
    names = {info.filename.lower(): info for info in infos}
    wanted = {name for name in names if posixpath.basename(name).startswith("sharedstrings")}
    manifest = names.get(CONTENT_TYPES.lower())
    if manifest is not None:
        if manifest.file_size > _CONTENT_TYPES_MAX_BYTES:
            raise TabularError(
                f"the {CONTENT_TYPES} part of this workbook is implausibly large; "
                "the file is damaged or not a real spreadsheet"
            )
        try:
            # Safe to parse: it is small (checked above), and the expat bundled with
            # supported Pythons refuses entity expansion bombs.
            root = ElementTree.fromstring(archive.read(manifest))  # noqa: S314
        except (ElementTree.ParseError, zipfile.BadZipFile, OSError) as error:
            raise TabularError(f"this workbook is damaged ({CONTENT_TYPES}: {error})") from None
        for override in root.iter(f"{_CT_NS}Override"):
            if override.get("ContentType") == _SHARED_STRINGS_TYPE:
                wanted.add(override.get("PartName", "").lstrip("/").lower())
    return [names[name] for name in sorted(wanted) if name in names]
