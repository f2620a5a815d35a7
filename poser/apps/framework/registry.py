"""The Application registry: each Application module registers itself in its includeme
(``config.add_application``), and with it the route and view of every widget action of
its steps (``config.add_widget_action``)."""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request

from poser.apps.framework.application import Application

REGISTRY_KEY = "poser.applications"


def add_application(config: Configurator, application: Application) -> None:
    """Config directive: ``config.add_application(app)``. Conflicts on a reused url_name.

    Each action of each widget of each step becomes a view of its own."""

    def register() -> None:
        config.registry.setdefault(REGISTRY_KEY, {})[application.url_name] = application

    config.action(("poser.application", application.url_name), register, order=0)
    for step in application.steps:
        for widget in step.widgets:
            for name, action in widget.actions().items():
                config.add_widget_action(application, step, widget, name, action)


def registered_applications(registry: Any) -> list[Application]:
    return sorted(registry.get(REGISTRY_KEY, {}).values(), key=lambda app: app.name.lower())


def applications_for(request: Request) -> list[Application]:
    return [
        app
        for app in registered_applications(request.registry)
        if request.has_permission(app.permission)
    ]


def includeme(config: Configurator) -> None:
    config.include("poser.apps.site.routes")  # the ids predicate
    config.include(".actions")
    config.add_directive("add_application", add_application)
    config.registry.setdefault(REGISTRY_KEY, {})
