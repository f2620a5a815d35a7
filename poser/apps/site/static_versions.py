"""Static files' URLs name their content: ``?x=`` and the start of the file's SHA-256.

A changed file gets a new URL at the next start, so browsers and nginx may keep each
URL for a year (docs/deploy/nginx-poser.conf) and still never serve a stale stylesheet
after an upgrade. The package's version would not do: it changes less often than the
files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pyramid.path import AssetResolver
from pyramid.static import QueryStringCacheBuster

#: Hex digits of the digest kept in a URL: plenty to tell versions of one file apart.
TOKEN_LENGTH = 12


class ContentCacheBuster(QueryStringCacheBuster):
    """The cache buster of the static view of ``spec`` (a package folder)."""

    def __init__(self, spec: str, param: str = "x") -> None:
        super().__init__(param)
        self.root = Path(AssetResolver().resolve(spec).abspath())
        # Worked out once per file and process: files do not change under a server.
        self.tokens: dict[str, str] = {}

    def tokenize(self, request: Any, subpath: str, kw: Any) -> str:
        token = self.tokens.get(subpath)
        if token is None:
            try:
                content = (self.root / subpath).read_bytes()
            except OSError:
                return "missing"  # the static view answers 404 whatever the token
            token = self.tokens[subpath] = hashlib.sha256(content).hexdigest()[:TOKEN_LENGTH]
        return token
