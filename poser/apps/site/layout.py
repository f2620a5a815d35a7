"""Templates, static files and what every page's layout needs."""

from __future__ import annotations

from typing import Any

from jinja2 import BaseLoader, Environment, TemplateNotFound
from pyramid.config import Configurator
from pyramid.events import BeforeRender, subscriber
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid_jinja2 import EXTRAS_CONFIG_PHASE, IJinja2Environment

from poser.apps.site.static_versions import ContentCacheBuster
from poser.utils import labels
from poser.utils.settings import is_production

FLASH_QUEUES = ("success", "info", "warning", "danger")
ASSET_PATHS = "poser.asset_paths"


def flash_messages(request: Any) -> list[tuple[str, str]]:
    messages = []
    for queue in FLASH_QUEUES:
        messages += [(queue, message) for message in request.session.pop_flash(queue)]
    return messages


@subscriber(BeforeRender)
def add_layout_globals(event: BeforeRender) -> None:
    request = event.get("request")
    if request is None:
        return
    event.setdefault("flash_messages", lambda: flash_messages(request))


def asset_path(request: Any, spec: str) -> str:
    """``request.static_path(spec)``, worked out once per asset and application root.

    Every page's layout links nine assets, and each path costs a route generation and
    the cache buster's lookup (about 40 µs): more than the rest of the layout. What it
    depends on (the static views, the version in the query, the application's root)
    does not change while the process runs, except the root, which is in the key.
    """
    paths = request.registry.setdefault(ASSET_PATHS, {})
    key = (request.script_name, spec)
    found = paths.get(key)
    if found is None:
        found = paths[key] = request.static_path(spec)
    return found  # type: ignore[no-any-return]


class MissRememberingLoader(BaseLoader):
    """A template loader that remembers which names it did not find.

    For a renderer named without a package ("framework/step.jinja2"), pyramid_jinja2
    first looks in the calling code's package, then on the search path, where the
    templates are. jinja2 remembers only templates it found, so without this every
    render pays for the first lookup again (about 80 µs). Only when templates do not
    reload: during development a missing template may appear.
    """

    def __init__(self, loader: BaseLoader) -> None:
        self.loader = loader
        self.missing: set[str] = set()

    def get_source(self, environment: Environment, template: str) -> Any:
        if template in self.missing:
            raise TemplateNotFound(template)
        try:
            return self.loader.get_source(environment, template)
        except TemplateNotFound:
            self.missing.add(template)
            raise

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()

    def __getattr__(self, name: str) -> Any:  # searchpath, which pyramid_jinja2 extends
        return getattr(self.loader, name)


def _remember_missing_templates(config: Configurator) -> None:
    def wrap() -> None:
        environment = config.registry.getUtility(IJinja2Environment, name=".jinja2")
        if not environment.auto_reload:
            environment.loader = MissRememberingLoader(environment.loader)

    # After pyramid_jinja2 has made the environment and added the search paths.
    config.action(None, wrap, order=EXTRAS_CONFIG_PHASE + 1)


def _add_words(config: Configurator) -> None:
    """Templates name statuses, export types and results in the words of
    ``poser.utils.labels``, the same words the files made for people use."""

    def add() -> None:
        environment = config.registry.getUtility(IJinja2Environment, name=".jinja2")
        environment.globals["words"] = labels

    config.action(None, add, order=EXTRAS_CONFIG_PHASE + 1)


def includeme(config: Configurator) -> None:
    config.include("pyramid_jinja2")
    config.add_jinja2_renderer(".jinja2")
    config.add_jinja2_search_path("poser.apps:templates", name=".jinja2")
    _remember_missing_templates(config)
    _add_words(config)
    # URLs name their files' content (static_versions): production may keep them a year.
    cache_max_age = 365 * 24 * 3600 if is_production(config.get_settings()) else 0
    for name, spec in (("static/poser", "poser.apps:static"), ("static/deform", "deform:static")):
        config.add_static_view(
            name, spec, cache_max_age=cache_max_age, permission=NO_PERMISSION_REQUIRED
        )
        config.add_cache_buster(spec, ContentCacheBuster(spec))
    config.add_request_method(asset_path)
    config.scan(__name__)
