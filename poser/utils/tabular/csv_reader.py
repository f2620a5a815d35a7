"""Streaming CSV reading: decoding, delimiter sniffing, rows with their line numbers."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from typing import BinaryIO

from poser.utils.tabular.errors import CellsWithNul, RowError, TabularError
from poser.utils.tabular.limits import Limits
from poser.utils.tabular.text import DECODE_ERRORS, Replay, check_text, read_sample

DELIMITERS = ",;\t|"
# The delimiter is found from the first lines of the sample only.
_SNIFF_CHARS = 8 * 1024
_SNIFF_LINES = 32

RawRows = Iterator[tuple[int, list[object] | RowError]]


class CsvStream:
    """A binary stream opened as CSV: the encoding and delimiter found, and its rows."""

    def __init__(
        self, stream: BinaryIO, limits: Limits, sample: tuple[bytes, bool] | None = None
    ) -> None:
        # `sample` is the (head, complete) already read from `stream` by a caller that
        # sniffed it; the rest of the stream follows it.
        head, complete = sample if sample is not None else read_sample(stream)
        if not head:
            raise TabularError("the file is empty")
        self.encoding, sample = check_text(head, complete=complete)
        self.delimiter = sniff_delimiter(sample, complete=complete)
        self._limits = limits
        # newline="" hands line endings to the csv module untouched, which it needs to
        # keep newlines inside quoted fields; it still splits lines on \r, \n and \r\n.
        self._text = io.TextIOWrapper(
            io.BufferedReader(Replay(head, stream)),
            encoding=self.encoding,
            errors=DECODE_ERRORS,
            newline="",
        )
        self._line = 0
        self._row_start = 1
        self._row_chars = 0
        self._nul = False  # a line of the current row holds a NUL character
        self._eof = False

    def rows(self) -> RawRows:
        """(line where the row starts, cells) for every row, blank lines included; a
        `RowError` instead of cells for a row that is not valid CSV."""
        # Strict, because a lenient reader silently swallows the rest of the file into
        # one value after a quote that is never closed; rows that strict parsing rejects
        # become row errors and reading goes on at the next line.
        reader = csv.reader(self._lines(), delimiter=self.delimiter, strict=True)
        while True:
            start = self._row_start = self._line + 1
            self._row_chars = 0
            self._nul = False
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                if self._eof:
                    raise TabularError(
                        "a quoted value starts on this line and is never closed, so the "
                        "rest of the file would be read as one value; check its quotes",
                        line=start,
                    ) from None
                if str(error).startswith("field larger than field limit"):
                    raise TabularError(
                        f"a value is longer than {csv.field_size_limit():,} characters "
                        "(a quoted value that is never closed?)",
                        line=start,
                    ) from None
                yield start, RowError(start, None, f"this row is not valid CSV: {error}")
                continue
            # A NUL in one value spoils that row, not the file (PostgreSQL refuses it
            # in text): the table makes the row an error.
            yield start, CellsWithNul(cells) if self._nul else cells

    def close(self) -> None:
        # Closes only our buffers: Replay never closes the stream it reads from, which
        # belongs to whoever opened it.
        self._text.close()

    def _lines(self) -> Iterator[str]:
        limit = self._limits.max_row_chars
        while True:
            # A bounded readline: a file without newlines must not be read whole.
            line = self._text.readline(limit + 1)
            if not line:
                self._eof = True
                return
            self._line += 1
            self._row_chars += len(line)
            if "\x00" in line:
                self._nul = True
            if self._row_chars > limit:
                raise TabularError(
                    f"a row is longer than {limit:,} characters; is this really a CSV file?",
                    line=self._row_start,
                )
            yield line


def sniff_delimiter(sample: str, *, complete: bool) -> str:
    """The delimiter among comma, semicolon, tab and pipe that `sample` uses.

    Each delimiter splits the first lines into rows; the one whose rows most often have
    the same number of values (two or more) wins, and on a tie the one that gives more
    values. Title lines above the header (a vendor's name, a date) have one value
    whatever the delimiter and count for none; a comma inside a description is one
    more value on some lines only; quoted values are split as the csv module will.
    """
    lines = sample.splitlines(keepends=True)
    if not complete and len(lines) > 1:
        lines = lines[:-1]  # the last line of a partial sample is cut short
    text = "".join([line for line in lines if line.strip()][:_SNIFF_LINES])[:_SNIFF_CHARS]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths = Counter(width for width in _widths(text, delimiter) if width > 1)
        if not widths:
            continue
        width, rows = max(widths.items(), key=lambda item: (item[1], item[0]))
        if (rows, width) > best_score:  # ties go to the earlier delimiter
            best, best_score = delimiter, (rows, width)
    return best


def _widths(text: str, delimiter: str) -> list[int]:
    """How many values each row of `text` has when split on `delimiter`."""
    widths: list[int] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            widths.append(len(row))
    except csv.Error:
        pass  # a quote the sample cuts short: the rows before it tell enough
    return widths
