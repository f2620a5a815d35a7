"""`Table` and `Row`: what callers see, whatever the format of the file was."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from poser.utils.numbers import COMMA, decide_decimal_mark
from poser.utils.tabular.errors import CellsWithNul, HeaderNotFoundError, RowError, TabularError
from poser.utils.tabular.headers import Columns, ResolvedHeaders
from poser.utils.tabular.limits import Limits

Format = Literal["csv", "xlsx"]
# What the format readers yield: (line, cells), or a RowError for a row they could not
# split into cells.
RawRows = Iterator[tuple[int, list[object] | RowError]]
Cells = list[object] | RowError
# A row with values: its line, its cleaned cells, and the positions of cells that held
# a NUL character (almost always none).
_Read = tuple[int, Cells, tuple[int, ...]]

_NO_COLUMNS = Columns(())
#: The header is looked for among this many rows with values: vendors put their name,
#: an address or a date above it.
HEADER_SEARCH_ROWS = 30
#: Rows read ahead of the caller, whose numbers show the file's decimal mark.
SAMPLE_ROWS = 500


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: the physical line (or sheet row) where it starts, its values by
    column key (None for an empty cell), and the problems the reader saw in it."""

    line: int
    values: dict[str, object]
    errors: tuple[RowError, ...] = ()


class Table:
    """A header row and the rows under it, read once, one row at a time.

    The header is the first row (of the first `HEADER_SEARCH_ROWS` with values) that
    names every required column and at least one of the columns; the rows above it
    are titles, and `header_line` says where it is. Iterate the table (once) for
    `Row`s; close it, or use it as a context manager, to release what the reader
    opened. `has_rows` is known before iterating, so a caller can refuse a header-only
    file up front, and so is `decimal_mark`, the one the numbers of the first
    `SAMPLE_ROWS` rows show (None when they do not; see `decide_decimal_mark`).
    Iterating can still raise `TabularError`: a cell over the limit or a damaged
    sheet part is only found when the reader gets there.
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
        # Rows read before the caller asks for them: by the header search, the sample.
        self._ahead: deque[_Read] = deque()
        columns = columns or _NO_COLUMNS
        self.header_line, header_cells = self._find_header(columns)
        resolved: ResolvedHeaders = columns.resolve(header_cells)
        self._keys = resolved.keys
        # Every column has a key: a full row's values are a plain zip.
        self._all_kept = None not in resolved.keys
        self.headers: tuple[str, ...] = tuple(k for k in resolved.keys if k is not None)
        self.source_headers = resolved.source
        self.unknown_headers: tuple[str, ...] = resolved.unknown
        numbers = [i for i, key in enumerate(self._keys) if key in columns.numbers]
        self._read_ahead(SAMPLE_ROWS if numbers else 1)
        self.has_rows = bool(self._ahead)
        self.decimal_mark = decide_decimal_mark(
            (
                cells[i]
                for _, cells, _ in self._ahead
                if not isinstance(cells, RowError)
                for i in numbers
                if i < len(cells)
            ),
            delimiter,
        )
        self._iterating = False

    @property
    def read_from(self) -> str:
        """Where the rows were read, in the operator's words."""
        where = "the file" if self.sheet is None else f"the sheet \u201c{self.sheet}\u201d"
        text = f"Read {where} from line {self.header_line} (the header)"
        if self.decimal_mark == COMMA:
            text += ", numbers with a decimal comma"
        return text

    def __iter__(self) -> Iterator[Row]:
        if self._iterating:
            raise RuntimeError("a Table streams its rows and can be iterated only once")
        self._iterating = True
        return self._rows()

    def _rows(self) -> Iterator[Row]:
        ahead = self._ahead
        while ahead:
            self.rows_read += 1
            yield self._row(*ahead.popleft())
        while (found := self._next_nonblank()) is not None:
            self.rows_read += 1
            yield self._row(*found)

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _find_header(self, columns: Columns) -> tuple[int, list[object]]:
        looked: list[_Read] = []
        while len(looked) < HEADER_SEARCH_ROWS and (found := self._next_nonblank()) is not None:
            cells = found[1]
            if not isinstance(cells, RowError):
                complete, named = columns.header_match(cells)
                if complete and (named or not columns.specs):
                    return found[0], cells
            looked.append(found)
        if not looked:
            raise HeaderNotFoundError(
                "the file is empty" if self.sheet is None else f"the sheet {self.sheet!r} is empty"
            )
        # No row names the columns: the one that comes closest is the header for the
        # message (resolve raises HeaderNotFoundError when a required column is missing), or, when
        # none is required, the header of columns kept under their own names.
        best = max(
            range(len(looked)),
            key=lambda i: (
                -1 if isinstance(looked[i][1], RowError) else columns.header_match(looked[i][1])[1]
            ),
        )
        line, cells, _ = looked[best]
        if isinstance(cells, RowError):
            raise TabularError(f"the header row cannot be read: {cells.message}", line=line)
        columns.resolve(cells)
        self._ahead.extend(looked[best + 1 :])
        return line, cells

    def _read_ahead(self, count: int) -> None:
        while len(self._ahead) < count and (found := self._next_nonblank()) is not None:
            self._ahead.append(found)

    def _row(self, line: int, cells: Cells, flawed: tuple[int, ...]) -> Row:
        keys = self._keys
        if (
            self._all_kept
            and not flawed
            and not isinstance(cells, RowError)
            and len(cells) == len(keys)
        ):
            return Row(line, dict(zip(keys, cells, strict=True)))
        values: dict[str, object] = dict.fromkeys(self.headers)
        if isinstance(cells, RowError):
            return Row(line, values, (cells,))
        for key, value in zip(keys, cells, strict=False):
            if key is not None:
                values[key] = value
        errors = [
            RowError(
                line,
                keys[index] if index < len(keys) else None,
                f"{self._column_name(index)}: the value holds a NUL character (invisible, "
                "left by a damaged export), which cannot be stored; correct it in the file",
            )
            for index in flawed
        ]
        if len(cells) > len(keys):
            # Typically an unquoted comma inside a description: every value after it
            # has moved one column to the right, so the row must not be trusted.
            errors.append(
                RowError(
                    line,
                    None,
                    f"this row has {len(cells)} values but the header has {len(keys)} "
                    "columns (an unquoted separator inside a value?)",
                )
            )
        return Row(line, values, tuple(errors))

    def _next_nonblank(self) -> _Read | None:
        """The next row with at least one value, its cells cleaned and checked."""
        for line, raw in self._raw:
            flawed: tuple[int, ...] = ()
            if raw.__class__ is not list:
                if isinstance(raw, RowError):
                    return line, raw, ()
                raw, flawed = _without_nul(raw)  # type: ignore[arg-type]
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
            if not cells and not flawed:
                continue
            if len(cells) > self._limits.max_columns:
                raise TabularError(
                    f"this row has {len(cells):,} columns, more than the limit of "
                    f"{self._limits.max_columns:,}",
                    line=line,
                )
            return line, cells, flawed
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

    def _column_name(self, index: int) -> str:
        key = self._keys[index] if index < len(self._keys) else None
        return f"column {index + 1}" if key is None else self.source_headers[key]

    def _column_label(self, index: int) -> str:
        key = self._keys[index] if index < len(self._keys) else None
        if key is None:
            return f"column {index + 1}"  # the header row itself, or a column without header
        return f"column {self.source_headers[key]!r}"


def _without_nul(cells: CellsWithNul) -> tuple[list[object], tuple[int, ...]]:
    """The cells without their NUL characters, and the positions of those that had one."""
    flawed = tuple(
        index
        for index, value in enumerate(cells)
        if value.__class__ is str and "\x00" in value  # type: ignore[operator]
    )
    clean = [
        value.replace("\x00", "") if value.__class__ is str else value  # type: ignore[attr-defined]
        for value in cells
    ]
    return clean, flawed
