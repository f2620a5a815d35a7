"""Bounds that keep a hostile upload from exhausting memory or time."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Every reader takes one; the defaults are generous for real vendor catalogs."""

    # A catalog has a few dozen columns; thousands means a broken or hostile file.
    max_columns: int = 256
    # Excel itself caps a cell at 32,767 characters; catalog cells are far shorter.
    max_cell_chars: int = 10_000
    # Bounds what the CSV reader holds before it can even split a row into cells
    # (a file with no newline at all, or a quoted field that never closes).
    max_row_chars: int = 1_000_000
    # Zip bomb guards, checked on the central directory before anything is inflated.
    max_uncompressed_bytes: int = 200 * MB
    max_compression_ratio: float = 100.0
    # Small parts compress absurdly well too (an empty styles part); only big ones matter.
    ratio_check_min_bytes: int = 10 * MB
    # openpyxl keeps the whole shared strings table in memory, even in read-only mode.
    max_shared_strings_bytes: int = 50 * MB
    # Any other part a reader holds whole (styles, the workbook, relationships, chart
    # sheets); Excel's own limits (64,000 cell formats) keep a real one far smaller.
    max_part_bytes: int = 16 * MB
    max_zip_members: int = 10_000
    # The central directory lists every member, and zipfile holds an object for each:
    # bounded before it is read. A real workbook's takes about 100 bytes a member.
    max_directory_bytes: int = 4 * MB


DEFAULT_LIMITS = Limits()
