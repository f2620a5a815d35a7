"""A scanner file's bytes as lines of text, or the reason it is not a count's text.

The encoding is decided as for every tabular upload (``poser.utils.tabular.text``): a
BOM wins (UTF-8, or UTF-16 as Excel's "Unicode Text" writes), then UTF-8, then
Windows-1252; a stray byte that is not valid in it is read as Windows-1252 would. A
file is refused whole when it is empty (or holds only blank lines), when its first
bytes are those of a known binary format (a workbook, an image, a PDF, an archive), or
when its text is full of control characters (binary data, UTF-16 without its BOM). A
NUL or two is a damaged line, not a binary file: the reader makes that line an error.

Line ends are CRLF, LF or a lone CR (old Macintosh exports), also when a CRLF falls
across two of the blocks the file is read in.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

from poser.tasks.batches.base import BatchError
from poser.utils.tabular.sniff import binary_kind
from poser.utils.tabular.text import (
    DECODE_ERRORS,
    decode_sample,
    detect_encoding,
    not_text_reason,
    read_sample,
)

SNIFF_BYTES = 64 * 1024
#: A line longer than this is not a scanner's: the file is refused before it is held.
MAX_LINE_CHARS = 1_000_000
_EXPORT = "export the count from the scanner as CSV or text"


def read_head(stream: BinaryIO, name: str) -> tuple[bytes, str]:
    """The file's first bytes and its encoding; BatchError when it is not a count's
    text (empty, binary)."""
    head, complete = read_sample(stream, SNIFF_BYTES)
    what = binary_kind(head)
    if what is not None:
        raise BatchError(f"{name} is not a text file but {what}: {_EXPORT}.")
    encoding = detect_encoding(head, complete=complete)
    text = decode_sample(head, encoding, complete=complete)
    if not text.strip():
        raise BatchError(f"{name} is empty: there is nothing to count.")
    reason = not_text_reason(text)
    if reason is not None:
        advice = "" if "save it" in reason else f"; {_EXPORT}"
        raise BatchError(f"{name} is not a text file: {reason}{advice}.")
    return head, encoding


def text_lines(head: bytes, stream: BinaryIO, encoding: str, name: str) -> Iterator[str]:
    """The file's lines as text, a BOM dropped, without their line ends."""
    decoder = codecs.getincrementaldecoder(encoding)(errors=DECODE_ERRORS)
    rest = ""
    block = head
    after_cr = False  # the last block ended with a CR: a LF that starts this one is its
    while block:
        text = rest + decoder.decode(block)
        if after_cr and text.startswith("\n"):
            text = text[1:]
        after_cr = text.endswith("\r")
        parts = text.splitlines()
        rest = parts.pop() if parts and not text.endswith(("\n", "\r")) else ""
        if len(rest) > MAX_LINE_CHARS:
            raise BatchError(
                f"{name} has a line of more than {MAX_LINE_CHARS:,} characters: it is not a "
                f"scanner's count; {_EXPORT}."
            )
        yield from parts
        block = stream.read(SNIFF_BYTES)
    rest += decoder.decode(b"", final=True)
    if after_cr and rest.startswith("\n"):
        rest = rest[1:]
    if rest:
        yield from rest.splitlines()
