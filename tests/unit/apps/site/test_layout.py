"""Asset paths, remembered per application root; template names not found, remembered."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jinja2 import DictLoader, Environment, TemplateNotFound
from pyramid import testing
from pyramid.config import Configurator
from pyramid.request import Request
from pyramid_jinja2 import IJinja2Environment

from poser.apps.site.layout import ASSET_PATHS, MissRememberingLoader, asset_path

SPEC = "poser.apps:static/css/poser.css"


@pytest.fixture
def config() -> Iterator[Configurator]:
    config = testing.setUp(settings={})
    config.include("poser.apps.site.layout")
    config.commit()
    yield config
    testing.tearDown()


def request_at(config: Configurator, script_name: str) -> Request:
    request = Request.blank("/", base_url=f"http://localhost{script_name}")
    request.registry = config.registry
    return request


def test_an_asset_path_is_the_static_path_with_the_version(config: Configurator) -> None:
    request = request_at(config, "")
    path = asset_path(request, SPEC)
    assert path == request.static_path(SPEC)
    assert path.startswith("/static/poser/css/poser.css?x=")


def test_each_application_root_has_its_own_paths(config: Configurator) -> None:
    at_root = asset_path(request_at(config, ""), SPEC)
    mounted = asset_path(request_at(config, "/poser"), SPEC)
    assert mounted == "/poser" + at_root
    assert config.registry[ASSET_PATHS] == {("", SPEC): at_root, ("/poser", SPEC): mounted}


def test_a_remembered_path_is_not_worked_out_again(config: Configurator) -> None:
    request = request_at(config, "")
    config.registry[ASSET_PATHS] = {("", SPEC): "/remembered.css"}
    assert asset_path(request, SPEC) == "/remembered.css"


class CountingLoader(DictLoader):
    def __init__(self, templates: dict[str, str]) -> None:
        super().__init__(templates)
        self.asked: list[str] = []
        self.searchpath = ["somewhere"]

    def get_source(self, environment: Environment, template: str) -> Any:
        self.asked.append(template)
        return super().get_source(environment, template)


def test_a_missing_template_is_looked_for_once() -> None:
    inner = CountingLoader({"page.jinja2": "hello"})
    loader = MissRememberingLoader(inner)
    environment = Environment(loader=loader, auto_reload=False, autoescape=True)
    for _ in range(3):
        with pytest.raises(TemplateNotFound):
            environment.get_template("elsewhere:page.jinja2")
        assert environment.get_template("page.jinja2").render() == "hello"
    assert inner.asked == ["elsewhere:page.jinja2", "page.jinja2"]
    assert loader.searchpath == ["somewhere"]  # what pyramid_jinja2 extends


@pytest.mark.parametrize(("reload", "remembers"), [("false", True), ("true", False)])
def test_the_app_remembers_misses_unless_templates_reload(reload: str, remembers: bool) -> None:
    config = testing.setUp(settings={"pyramid.reload_templates": reload})
    try:
        config.include("poser.apps.site.layout")
        config.commit()
        environment = config.registry.getUtility(IJinja2Environment, name=".jinja2")
        assert isinstance(environment.loader, MissRememberingLoader) is remembers
        assert environment.get_template("site/error.jinja2") is not None
    finally:
        testing.tearDown()
