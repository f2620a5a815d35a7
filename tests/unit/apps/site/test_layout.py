"""Asset paths: the layout's static links, remembered per application root."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyramid import testing
from pyramid.config import Configurator
from pyramid.request import Request

from poser.apps.site.layout import ASSET_PATHS, asset_path

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
