"""URL helpers."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_local_path(value: str | None) -> bool:
    """True when ``value`` is a path on this site, safe to redirect to after login.

    Rejects absolute URLs, scheme-relative ``//host`` forms (and their backslash
    variants, which browsers treat alike), and anything with control characters.
    """
    if not value or not value.startswith("/"):
        return False
    if value.startswith(("//", "/\\")) or "\\" in value:
        return False
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc
