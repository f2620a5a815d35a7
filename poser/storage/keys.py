"""Storage keys: the one place that decides which names a file store accepts.

A key is a relative POSIX path below a store's root ("uploads/3f2a.csv"). Every store
operation validates its keys here first, so no key can name anything outside the root
on any backend, and a name that works on one backend works on the others.
"""

from __future__ import annotations

import unicodedata

#: Temporary files of atomic writes start with this; keys may not, so a temporary
#: file can never be mistaken for (or overwrite) a real one, and listings can hide them.
TEMP_PREFIX = ".poser-tmp-"

# S3 limits a key to 1024 bytes and most local filesystems a name to 255 bytes;
# checking here makes an over-long key fail the same way on every backend.
MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 255

# Control characters, lone surrogates (not encodable, so no backend can store them)
# and line/paragraph separators (they break logs and headers like CR/LF do).
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


class InvalidKey(ValueError):  # noqa: N818 - the name reads as what it is at the raise site
    """A storage key that is not a safe relative POSIX path."""


def validate_key(key: object) -> str:
    """Return ``key`` unchanged if it is a valid storage key, else raise InvalidKey."""
    if not isinstance(key, str):
        raise InvalidKey(f"storage keys are strings, not {type(key).__name__}")
    if not key:
        raise InvalidKey("storage key is empty")
    if key.startswith("/"):
        raise InvalidKey(f"storage key {key!r} is absolute; keys are relative to the store")
    if "\\" in key:
        # Windows and some tools read a backslash as a separator ("..\\x").
        raise InvalidKey(f"storage key {key!r} contains a backslash; use '/'")
    for char in key:
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            raise InvalidKey(f"storage key {key!r} contains the control character {char!r}")
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise InvalidKey(f"storage key is longer than {MAX_KEY_BYTES} bytes")
    for segment in key.split("/"):
        _check_segment(key, segment)
    return key


def validate_prefix(prefix: object, *, allow_root: bool) -> str:
    """Validate a folder prefix ("batches/price" or "batches/price/"); return it without
    the trailing slash. The empty prefix means the whole store, if ``allow_root``."""
    if prefix == "" and allow_root:
        return ""
    if isinstance(prefix, str) and prefix.endswith("/"):
        prefix = prefix[:-1]
    return validate_key(prefix)


def _check_segment(key: str, segment: str) -> None:
    if not segment:
        raise InvalidKey(f"storage key {key!r} has an empty segment ('//' or a trailing '/')")
    if segment in {".", ".."}:
        raise InvalidKey(f"storage key {key!r} has a {segment!r} segment")
    if segment.strip() != segment:
        raise InvalidKey(f"storage key {key!r} has a segment with leading or trailing spaces")
    if segment.startswith(TEMP_PREFIX):
        raise InvalidKey(f"storage key {key!r}: names starting {TEMP_PREFIX!r} are reserved")
    if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
        raise InvalidKey(f"storage key {key!r} has a segment longer than {MAX_SEGMENT_BYTES} bytes")
