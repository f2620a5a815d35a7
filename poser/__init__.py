"""Poser: a reference back-office web application on Pyramid."""

from __future__ import annotations

from typing import Any


def main(global_config: dict[str, Any], **settings: Any) -> Any:
    """The paste app factory (``use = egg:poser``): returns the WSGI application."""
    from poser.entry_points.web import make_wsgi_app
    from poser.utils.appdir import keep_files_private

    keep_files_private()  # before the app opens its database, queue or sessions
    return make_wsgi_app(global_config, **settings)
