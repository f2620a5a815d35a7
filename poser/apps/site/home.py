"""The home page: the Applications this user may use."""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request
from pyramid.view import view_config

from poser.apps.framework.registry import applications_for


@view_config(route_name="home", renderer="site/home.jinja2", request_method="GET")
def home(request: Request) -> dict[str, Any]:
    return {"applications": applications_for(request)}


def includeme(config: Configurator) -> None:
    config.add_route("home", "/")
    config.scan(__name__)
