"""The Application registry: each Application module registers itself in its includeme."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request

REGISTRY_KEY = "poser.applications"


@dataclass(frozen=True)
class ApplicationInfo:
    """What the home page needs to list an Application and decide who sees it."""

    name: str
    url_name: str
    description: str = ""
    icon: str = "grid"
    permission: str = "use"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def add_application(config: Configurator, application: ApplicationInfo) -> None:
    """Config directive: ``config.add_application(app)``. Conflicts on a reused url_name."""

    def register() -> None:
        config.registry.setdefault(REGISTRY_KEY, {})[application.url_name] = application

    config.action(("poser.application", application.url_name), register, order=0)


def registered_applications(registry: Any) -> list[ApplicationInfo]:
    return sorted(registry.get(REGISTRY_KEY, {}).values(), key=lambda app: app.name.lower())


def applications_for(request: Request) -> list[ApplicationInfo]:
    return [
        app
        for app in registered_applications(request.registry)
        if request.has_permission(app.permission)
    ]


def includeme(config: Configurator) -> None:
    config.add_directive("add_application", add_application)
    config.registry.setdefault(REGISTRY_KEY, {})
