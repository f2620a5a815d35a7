"""Deciding how to decode a byte stream, from a bounded sample of its beginning.

The strategy is deterministic on purpose (the same upload always reads the same way):
a BOM wins; otherwise a sample that is valid UTF-8 means UTF-8; otherwise cp1252, the
encoding of spreadsheets saved on Windows; latin-1 when even cp1252 cannot decode it.
"""

from __future__ import annotations

import codecs
import io
from typing import BinaryIO

from poser.utils.tabular.errors import TabularError

SAMPLE_BYTES = 64 * 1024

# Stray bytes that are not valid in the chosen encoding are decoded one by one as cp1252
# (latin-1 for the five bytes cp1252 leaves undefined) instead of failing the whole file:
# a UTF-8 file whose first 64 KB are ASCII may still hold a cp1252 "é" further down.
DECODE_ERRORS = "poser-tabular-cp1252"


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(_byte_as_text(b) for b in bad), error.end


def _byte_as_text(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


codecs.register_error(DECODE_ERRORS, _cp1252_fallback)

# Control characters that real text files carry: tab, newlines, form feed, DOS EOF.
_ALLOWED_CONTROLS = frozenset("\t\n\r\x0c\x1a")
_MAX_CONTROL_RATIO = 0.01
# A stray control character or two must not condemn a short file.
_MIN_CONTROLS = 3


def read_sample(stream: BinaryIO, size: int = SAMPLE_BYTES) -> tuple[bytes, bool]:
    """Up to `size` bytes from the stream, and whether the stream ended within them."""
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        # Pipes and sockets may return short reads; only an empty read means the end.
        chunk = stream.read(remaining)
        if not chunk:
            return b"".join(parts), True
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts), False


def detect_encoding(sample: bytes, *, complete: bool) -> str:
    """The codec name to decode a stream that starts with `sample`.

    `complete` says the sample is the whole file; when it is not, a multi-byte UTF-8
    character cut at the end of the sample must not count against UTF-8.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode Text" export: UTF-16 with a BOM, tab separated.
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def decode_sample(sample: bytes, encoding: str, *, complete: bool) -> str:
    """The sample as text, without a character cut at its end."""
    decoder = codecs.getincrementaldecoder(encoding)(errors=DECODE_ERRORS)
    return decoder.decode(sample, final=complete)


def not_text_reason(text: str) -> str | None:
    """Why decoded text looks like binary data, or None when it looks like text.

    A few NUL characters, like a few other control characters, are a damaged value or
    two in a text file: the rows that hold them are errors, not the file. Binary data
    is full of them.
    """
    if not text:
        return None
    controls = sum(
        1 for c in text if (c < " " or "\x7f" <= c <= "\x9f") and c not in _ALLOWED_CONTROLS
    )
    if controls < _MIN_CONTROLS or controls / len(text) <= _MAX_CONTROL_RATIO:
        return None
    if "\x00" in text:
        if _looks_like_utf16(text):
            return (
                "it looks like UTF-16 text without the byte order mark that would say so; "
                'save it again as "CSV UTF-8"'
            )
        return "it contains NUL bytes"
    return f"{controls} of its first {len(text)} characters are control characters"


def _looks_like_utf16(text: str) -> bool:
    """Whether NULs fill every other position, as in UTF-16 text of Latin letters.

    Without its BOM such a file reads as text with a NUL after (or before) each letter;
    "contains NUL bytes" would not tell the operator that it is text, only encoded so.
    """
    window = text[:4096]
    nuls = [i % 2 for i, c in enumerate(window) if c == "\x00"]
    if len(nuls) < len(window) // 3:
        return False
    on_one_side = max(nuls.count(0), nuls.count(1))
    return on_one_side >= 0.95 * len(nuls)


def check_text(sample: bytes, *, complete: bool) -> tuple[str, str]:
    """(encoding, decoded sample) of a text sample; TabularError when it is not text."""
    encoding = detect_encoding(sample, complete=complete)
    text = decode_sample(sample, encoding, complete=complete)
    reason = not_text_reason(text)
    if reason is not None:
        raise TabularError(
            f"this file is not text: {reason}. "
            "Upload the catalog as CSV (comma, semicolon, tab or pipe separated) or .xlsx"
        )
    return encoding, text


class Replay(io.RawIOBase):
    """A stream that gives back an already-read head, then the rest of another stream.

    Sniffing consumes the beginning of streams that cannot seek (uploads, object
    storage); this puts it back without reading the file twice.
    """

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        target = memoryview(buffer).cast("B")
        if self._head:
            n = min(len(target), len(self._head))
            target[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(target))
        if not data:
            return 0
        target[: len(data)] = data
        return len(data)
