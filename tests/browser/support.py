"""Steps that browser tests share: logging in through the form, saving a download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.factories import PASSWORD


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form and wait for the applications page."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Applications')")


def downloaded(page: Any, selector: str, path: Path) -> Path:
    """Click ``selector``, which starts a download, and save the file at ``path``."""
    with page.expect_download() as download:
        page.click(selector)
    download.value.save_as(path)
    return path
