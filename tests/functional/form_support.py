"""What every refused form must do: send the browser back to a GET page (a 303, so that
Reload and Back never send the POST again), which shows the messages once."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def refused(response: Any, back: str) -> Any:
    """``response`` is a 303 to the page at path ``back``; that page (a 200 to a GET),
    followed. Reloading it is a GET too, and shows it without the messages again."""
    assert response.status_int == 303, response.text
    assert urlsplit(response.location).path == back, response.location
    page = response.follow()
    assert page.request.method == "GET"
    assert page.status_int == 200
    return page


def field_error(page: Any, name: str, form: str = "") -> str:
    """The message shown next to the field ``name`` (of the form whose data-form is
    ``form``, when given); empty when there is none."""
    within = f"[data-form='{form}'] " if form else ""
    field = page.pyquery(f"{within}[name='{name}']")
    assert len(field) == 1, f"no one field {name} on the page"
    oid = field.attr("id")
    return str(page.pyquery(f"#error-{oid}").text())


def alerts(page: Any, kind: str = "danger") -> str:
    """The text of the page's messages of ``kind`` (flash messages at the top)."""
    return str(page.pyquery(f"main > .alert-{kind}").text())


def reload_shows_no_message(app: Any, page: Any) -> Any:
    """Reload: the same GET again, with the messages gone (shown once)."""
    again = app.get(page.request.path_qs)
    assert not again.pyquery("main .alert-danger, .invalid-feedback"), again.text
    return again
