from __future__ import annotations

import pytest

from poser.utils.urls import is_local_path


# Percent-encoded characters stay text in a path: the browser does not decode them into
# a header or a host.
@pytest.mark.parametrize(
    "value", ["/", "/jobs", "/data-sets/3?page=2#top", "/a/b%2Fc", "/%0d%0aSet-Cookie:x"]
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
    ],
)
def test_other_targets_are_refused(value: str | None) -> None:
    assert not is_local_path(value)
