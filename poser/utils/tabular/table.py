"""`Table` and `Row`: what callers see, whatever the format of the file was."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from poser.utils.tabular.errors import RowError, TabularError
from poser.utils.tabular.headers import Columns, ResolvedHeaders
from poser.utils.tabular.limits import Limits

Format = Literal["csv", "xlsx"]
# What the format readers yield: (line, cells), or a RowError for a row they could not
# split into cells.
RawRows = Iterator[tuple[int, list[object] | RowError]]
Cells = list[object] | RowError

_NO_COLUMNS = Columns(())


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: the physical line (or sheet row) where it starts, its values by
    column key (None for an empty cell), and the problems the reader saw in it."""

    line: int
    values: dict[str, object]
    errors: tuple[RowError, ...] = ()


class Table:
    """A header row and the rows under it, read once, one row at a time.

    Iterate it (once) for `Row`s; close it, or use it as a context manager, to release
    what the reader opened. `has_rows` is known before iterating, so a caller can refuse
    a header-only file up front. Iterating can still raise `TabularError`: a cell over
    the limit or a damaged sheet part is only found when the reader gets there.
    """

    def __init__(
        self,
        raw_rows: RawRows,
        *,
        format: Format,
        columns: Columns | None,
        limits: Limits,
        close: Callable[[], None] = lambda: None,
        encoding: str | None = None,
        delimiter: str | None = None,
        sheet: str | None = None,
    ) -> None:
        self.format: Format = format
        self.encoding = encoding
        self.delimiter = delimiter
        self.sheet = sheet
        self._close = close
        self._limits = limits
        self._raw = raw_rows
        self._keys: tuple[str | None, ...] = ()
        self.source_headers: dict[str, str] = {}
        self.rows_read = 0
        header = self._next_nonblank()
        if header is None:
            raise TabularError(
                "the file is empty" if sheet is None else f"the sheet {sheet!r} is empty"
            )
        self.header_line, header_cells = header
        if isinstance(header_cells, RowError):
            raise TabularError(
                f"the header row cannot be read: {header_cells.message}", line=self.header_line
            )
        resolved: ResolvedHeaders = (columns or _NO_COLUMNS).resolve(header_cells)
        self._keys = resolved.keys
        # Every column has a key: a full row's values are a plain zip.
        self._all_kept = None not in resolved.keys
        self.headers: tuple[str, ...] = tuple(k for k in resolved.keys if k is not None)
        self.source_headers = resolved.source
        self.unknown_headers: tuple[str, ...] = resolved.unknown
        # Reading one row ahead is what lets `has_rows` answer without consuming the table.
        self._peeked = self._next_nonblank()
        self.has_rows = self._peeked is not None
        self._iterating = False

    def __iter__(self) -> Iterator[Row]:
        if self._iterating:
            raise RuntimeError("a Table streams its rows and can be iterated only once")
        self._iterating = True
        return self._rows()

    def _rows(self) -> Iterator[Row]:
        pending = self._peeked
        while pending is not None:
            self._peeked = None
            self.rows_read += 1
            yield self._row(*pending)
            pending = self._next_nonblank()

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _row(self, line: int, cells: Cells) -> Row:
        keys = self._keys
        if not isinstance(cells, RowError) and len(cells) == len(keys) and self._all_kept:
            return Row(line, dict(zip(keys, cells, strict=True)))  # type: ignore[arg-type]
        values: dict[str, object] = dict.fromkeys(self.headers)
        if isinstance(cells, RowError):
            return Row(line, values, (cells,))
        for key, value in zip(keys, cells, strict=False):
            if key is not None:
                values[key] = value
        errors: tuple[RowError, ...] = ()
        if len(cells) > len(keys):
            # Typically an unquoted comma inside a description: every value after it
            # has moved one column to the right, so the row must not be trusted.
            errors = (
                RowError(
                    line,
                    None,
                    f"this row has {len(cells)} values but the header has {len(keys)} "
                    "columns (an unquoted separator inside a value?)",
                ),
            )
        return Row(line, values, errors)

    def _next_nonblank(self) -> tuple[int, Cells] | None:
        """The next row with at least one value, its cells cleaned and checked."""
        for line, raw in self._raw:
            if isinstance(raw, RowError):
                return line, raw
            limit = self._limits.max_cell_chars
            # The common cell, short text, is stripped inline; anything else (a number
            # from a workbook, an over-long value to refuse) goes through _clean.
            cells = [
                (value.strip() or None)
                if value.__class__ is str and len(value) <= limit
                else self._clean(line, index, value)
                for index, value in enumerate(raw)
            ]
            while cells and cells[-1] is None:
                cells.pop()  # trailing empty cells are an artifact of the export
            if not cells:
                continue
            if len(cells) > self._limits.max_columns:
                raise TabularError(
                    f"this row has {len(cells):,} columns, more than the limit of "
                    f"{self._limits.max_columns:,}",
                    line=line,
                )
            return line, cells
        return None

    def _clean(self, line: int, index: int, value: object) -> object:
        if not isinstance(value, str):
            return value
        if len(value) > self._limits.max_cell_chars:
            raise TabularError(
                f"the value in {self._column_label(index)} has {len(value):,} characters, "
                "more than the limit of "
                f"{self._limits.max_cell_chars:,}",
                line=line,
            )
        # Surrounding spaces are never meant in catalog data and break matching on codes.
        return value.strip() or None

    def _column_label(self, index: int) -> str:
        key = self._keys[index] if index < len(self._keys) else None
        if key is None:
            return f"column {index + 1}"  # the header row itself, or a column without header
        return f"column {self.source_headers[key]!r}"
