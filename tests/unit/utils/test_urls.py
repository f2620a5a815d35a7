from __future__ import annotations

import pytest

from poser.utils.urls import is_local_path


# Percent-encoded characters stay text in a path: the browser does not decode them into
# a header or a host.
@pytest.mark.parametrize(
    "value",
    [
        "/",
        "/jobs",
        "/data-sets/3?page=2#top",
        "/a/b%2Fc",
        "/%0d%0aSet-Cookie:x",
        "/apps/products/data-sets/3/steps/catalog?products.description.q=cr%C3%A8me",
    ],
)
def test_local_paths_are_accepted(value: str) -> None:
    assert is_local_path(value)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "jobs",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\\/evil.example",
        "\\\\evil.example",
        "/jobs\r\nLocation: https://evil.example",
        "/jobs\x00",
        "javascript:alert(1)",
        "http:/evil.example",
        # Browsers drop tabs and line breaks from a URL: "//evil.example".
        "/\t/evil.example",
        "/\n/evil.example",
        # Not ASCII: no Location header holds it, and a browser may map it to ASCII.
        "/\u3002evil.example",
        "/\uff0f/evil.example",
        "/jobs?name=cr\u00e8me",
        # Spaces a browser trims, or that end the header's value for some clients.
        "/ /evil.example",
        "/jobs ",
        "/jobs\x7f",
    ],
)
def test_other_targets_are_refused(value: str | None) -> None:
    assert not is_local_path(value)
