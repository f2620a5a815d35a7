"""Streaming CSV reading: decoding, delimiter sniffing, rows with their line numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

from poser.utils.tabular.errors import RowError, TabularError
from poser.utils.tabular.limits import Limits
from poser.utils.tabular.text import DECODE_ERRORS, Replay, check_text, read_sample

DELIMITERS = ",;\t|"
# csv.Sniffer's quote detection is quadratic on some inputs (64 KB of `a,"b` lines takes
# seconds), so it only ever sees the first lines of the sample.
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
            yield start, list(cells)

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
            if self._row_chars > limit:
                raise TabularError(
                    f"a row is longer than {limit:,} characters; is this really a CSV file?",
                    line=self._row_start,
                )
            yield line


def sniff_delimiter(sample: str, *, complete: bool) -> str:
    """The delimiter among comma, semicolon, tab and pipe that `sample` uses."""
    lines = sample.splitlines(keepends=True)
    if not complete and len(lines) > 1:
        lines = lines[:-1]  # the last line of a partial sample is cut short
    lines = [line for line in lines if line.strip()][:_SNIFF_LINES]
    if not lines:
        return ","
    header = lines[0]
    text = "".join(lines)[:_SNIFF_CHARS]
    try:
        delimiter = csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    # The sniffer guesses from consistency across lines and can be fooled by commas in
    # descriptions; a delimiter that the header line does not even contain is wrong.
    if delimiter and delimiter in header:
        return delimiter
    return _count_on_header(header)


def _count_on_header(header: str) -> str:
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties go to the earlier delimiter
    return best if counts[best] else ","
