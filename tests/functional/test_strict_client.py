"""The shared test client expects 200 unless a test names the status it expects."""

from __future__ import annotations

import pytest
import webtest


def test_a_redirect_to_the_login_page_is_no_success(testapp: webtest.TestApp) -> None:
    with pytest.raises(webtest.AppError, match="303 See Other"):
        testapp.get("/jobs")
    assert testapp.get("/jobs", status=303).location.endswith("/login?next=%2Fjobs")
    assert testapp.get("/login").status_int == 200
    assert testapp.get("/nowhere", expect_errors=True).status_int == 404
