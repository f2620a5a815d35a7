from __future__ import annotations

import pytest
from pyramid.request import Request

from poser.apps.site.request_text import UnstorableText, check_request_text, has_unstorable


@pytest.mark.parametrize("text", ["a\x00b", "\x01", "tab\x0bbed", "\x1f"])
def test_controls_but_tab_and_line_breaks_cannot_be_stored(text: str) -> None:
    assert has_unstorable(text)


@pytest.mark.parametrize("text", ["plain", "tab\there", "two\r\nlines", "crème", "\x7f\x85", ""])
def test_other_text_can(text: str) -> None:
    assert not has_unstorable(text)


def _request(path: str = "/jobs", **kw: object) -> Request:
    request = Request.blank(path, **kw)
    request.matchdict = {}
    return request


def test_clean_requests_pass() -> None:
    check_request_text(_request("/jobs?kind=datasets.copy&page=2"))
    check_request_text(_request("/x", POST={"name": "Main store", "note": "a\r\nb"}))
    unrouted = _request("/x")
    unrouted.matchdict = None  # a view found without a route
    check_request_text(unrouted)


@pytest.mark.parametrize(
    "request_",
    [
        _request("/jobs/1%00"),
        _request("/jobs?kind=a%00b"),
        _request("/jobs?a%01=b"),
        _request("/x", POST={"name": "Main\x00"}),
        _request("/x", POST={"file": ("a\x00.csv", b"\x00 binary content is fine")}),
    ],
    ids=["path", "query value", "query name", "form field", "file name"],
)
def test_unstorable_text_anywhere_is_refused(request_: Request) -> None:
    with pytest.raises(UnstorableText):
        check_request_text(request_)


def test_undecodable_query_is_the_views_but_a_control_in_it_is_not() -> None:
    check_request_text(_request("/x?q=%ff%fe"))  # a grid ignores what it cannot decode
    with pytest.raises(UnstorableText):
        check_request_text(_request("/x?q=%ff%00"))


def test_file_content_is_not_text() -> None:
    check_request_text(_request("/x", POST={"file": ("data.bin", b"\x00\x01")}))
