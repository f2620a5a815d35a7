"""Strict security headers on every response."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pyramid.config import Configurator
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.response import Response

from poser.utils.settings import is_production

# No inline script or style anywhere: templates load everything from /static.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# pyramid_debugtoolbar's own pages (development only) carry inline script and style.
DEBUG_TOOLBAR_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
).replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def security_headers_tween_factory(
    handler: Callable[[Request], Response], registry: Registry
) -> Callable[[Request], Response]:
    production = is_production(registry.settings)
    toolbar = debug_toolbar_prefix(registry.settings)

    def security_headers_tween(request: Request) -> Response:
        response = handler(request)
        if toolbar and request.path.startswith(toolbar):
            response.headers.setdefault("Content-Security-Policy", DEBUG_TOOLBAR_POLICY)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if production and request.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # Back-office pages show private data: keep them out of shared caches.
        if "Cache-Control" not in response.headers and not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    return security_headers_tween


def debug_toolbar_prefix(settings: Mapping[str, object]) -> str | None:
    """Where pyramid_debugtoolbar serves its pages, when development includes it."""
    if is_production(settings) or "pyramid_debugtoolbar" not in str(
        settings.get("pyramid.includes", "")
    ):
        return None
    return str(settings.get("debugtoolbar.route_prefix") or "/_debug_toolbar").rstrip("/") + "/"


def includeme(config: Configurator) -> None:
    config.add_tween("poser.apps.site.headers.security_headers_tween_factory")
