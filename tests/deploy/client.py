"""HTTP clients of the deployment test.

``through(url, ca)`` is a webtest client whose requests go over the network to ``url``
(nginx, over TLS): the suite's form handling (CSRF tokens, file uploads, cookies) on
real HTTP. It sends what a browser sends, an Origin on every request, and keeps cookies
for the https site, Secure ones included. ``direct`` talks to one waitress process
without nginx, from a chosen loopback address.
"""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import urlsplit

import requests
import webtest

#: Headers of one hop, which a proxy does not pass on; and what requests decoded.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length"}


def forwarding_app(base_url: str, ca: str) -> Any:
    """A WSGI app that sends each request to ``base_url`` and answers what came back."""

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        url = base_url + (environ.get("SCRIPT_NAME", "") + environ["PATH_INFO"])
        if environ.get("QUERY_STRING"):
            url += "?" + environ["QUERY_STRING"]
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_") and key != "HTTP_HOST"
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else None
        # One request each, without requests' own cookie jar: webtest keeps the cookies.
        response = requests.request(
            environ["REQUEST_METHOD"],
            url,
            headers=headers,
            data=body,
            allow_redirects=False,
            verify=ca,
            timeout=60,
        )
        kept = [
            (name, value)
            for name, value in response.raw.headers.items()
            if name.lower() not in HOP_BY_HOP
        ]
        content = response.content
        kept.append(("Content-Length", str(len(content))))
        start_response(f"{response.status_code} {response.reason}", kept)
        return [content] if environ["REQUEST_METHOD"] != "HEAD" else []

    return app


def through(base_url: str, ca: str) -> webtest.TestApp:
    """A browser of the site at ``base_url`` (https://host:port)."""
    parts = urlsplit(base_url)
    return webtest.TestApp(
        forwarding_app(base_url, ca),
        extra_environ={
            "wsgi.url_scheme": parts.scheme,
            "HTTP_HOST": parts.netloc,
            "HTTP_ORIGIN": f"{parts.scheme}://{parts.netloc}",
        },
        lint=False,
    )


def direct(
    port: int,
    method: str,
    path: str,
    *,
    source: str,
    headers: dict[str, str],
    body: bytes = b"",
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request to 127.0.0.1:``port`` sent from the address ``source`` (any address
    of 127.0.0.0/8 is this machine's): status, headers, body."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=30, source_address=(source, 0)
    )
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()
