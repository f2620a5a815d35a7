"""URL helpers."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: Printable ASCII but the space: what a Location header holds as it is, and what a
#: browser reads as written (it drops tabs and line breaks, maps some non-ASCII
#: characters to ASCII ones, and trims spaces, any of which can make a path a host).
_PLAIN = re.compile(r"[!-~]+\Z", re.ASCII)


def is_local_path(value: str | None) -> bool:
    """True when ``value`` is a path on this site, safe to redirect to after login.

    Rejects absolute URLs, scheme-relative ``//host`` forms (and their backslash
    variants, which browsers treat alike), and anything but printable ASCII: control
    characters, spaces and non-ASCII text (``/。evil.com``) cannot go in a Location
    header as they are, and a browser may read them as another host. A path with such
    characters in it is percent-encoded (as ``request.path_qs`` is).
    """
    if not value or not value.startswith("/") or not _PLAIN.match(value):
        return False
    if value.startswith(("//", "/\\")) or "\\" in value:
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc
