"""The Application registry: each Application module registers itself in its includeme."""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request

from poser.apps.framework.application import Application

REGISTRY_KEY = "poser.applications"


def add_application(config: Configurator, application: Application) -> None:
    """Config directive: ``config.add_application(app)``. Conflicts on a reused url_name."""

    def register() -> None:
        config.registry.setdefault(REGISTRY_KEY, {})[application.url_name] = application

    config.action(("poser.application", application.url_name), register, order=0)


def registered_applications(registry: Any) -> list[Application]:
    return sorted(registry.get(REGISTRY_KEY, {}).values(), key=lambda app: app.name.lower())


def applications_for(request: Request) -> list[Application]:
    return [
        app
        for app in registered_applications(request.registry)
        if request.has_permission(app.permission)
    ]


def includeme(config: Configurator) -> None:
    config.add_directive("add_application", add_application)
    config.registry.setdefault(REGISTRY_KEY, {})
