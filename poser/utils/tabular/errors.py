"""The two kinds of problems a tabular file can have.

A `TabularError` condemns the whole file (it is not text, it is a zip bomb, a required
column is missing): the reader stops. A `RowError` concerns one row: it is a value that
callers collect and show next to the row, so one bad line never hides the others.
`HeaderNotFoundError` is the TabularError of a sheet without the expected header, which lets the
workbook reader go on to the next sheet.
"""

from __future__ import annotations

from dataclasses import dataclass


class TabularError(Exception):
    """The file as a whole cannot be read; the message is meant for the operator."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        # The line is kept apart from the text so that callers can point at it in a grid.
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


class HeaderNotFoundError(TabularError):
    """The rows looked at hold no header with the required columns, or there are none."""


class CellsWithNul(list[object]):
    """A row's cells in which the reader saw a NUL character: the table takes the NULs
    out and makes the row an error, since no database stores them in text."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem with one row: where it is (physical line, canonical column) and what."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.column is None else f"line {self.line}, {self.column}"
        return f"{where}: {self.message}"
