"""The check every browser test's pages go through: their visible text holds no
internal key of tests/operator_words.py (conftest's PageChecks, beside axe-core)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import PageChecks


@pytest.fixture
def bare_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_a_page_that_shows_internal_keys_is_caught(bare_page: Any) -> None:
    checks = PageChecks(bare_page, "words")
    bare_page.set_content(
        "<main><h1>Result</h1><dl><dt>history_rows</dt><dd>3</dd><dt>Status</dt>"
        "<dd>cost_up</dd><dt>Flagged</dt><dd>false</dd></dl>"
        "<p>Saved in exports/data-sets/2/store.xlsx by batches.execute</p>"
        "<p hidden>product_costs</p></main>"
    )
    checks.check()
    assert len(checks.keys_shown) == 1
    shown = checks.keys_shown[0]
    for key in ("history_rows", "cost_up", "false", "exports/data-sets/2", "batches.execute"):
        assert key in shown
    assert "product_costs" not in shown  # hidden: nobody reads it


def test_a_page_in_words_passes(bare_page: Any) -> None:
    checks = PageChecks(bare_page, "words")
    bare_page.set_content(
        "<main><dl><dt>Changes written to product histories</dt><dd>3</dd>"
        "<dt>Status</dt><dd>Cost up</dd><dt>Size</dt><dd>1.2 MB</dd></dl>"
        "<a href='/exports/2/files/store.xlsx'>store.xlsx</a></main>"
    )
    checks.check()
    assert checks.keys_shown == []
