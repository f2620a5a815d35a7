"""Static URLs carry a digest of their file's content: a new file, a new URL."""

from __future__ import annotations

import hashlib
from pathlib import Path

import webtest
from pyramid import testing

from poser.apps.site.static_versions import ContentCacheBuster

CSS = Path(__file__).resolve().parents[4] / "poser" / "apps" / "static" / "css" / "poser.css"


def test_the_token_is_the_start_of_the_files_sha256() -> None:
    buster = ContentCacheBuster("poser.apps:static")
    token = buster.tokenize(None, "css/poser.css", {})
    assert token == hashlib.sha256(CSS.read_bytes()).hexdigest()[:12]
    assert buster.tokenize(None, "css/grid.css", {}) != token
    assert buster.tokenize(None, "css/none.css", {}) == "missing"


def test_a_changed_file_gets_another_url_at_the_next_start(tmp_path: Path) -> None:
    (tmp_path / "site.css").write_text("body { color: black }")
    before = ContentCacheBuster(str(tmp_path)).tokenize(None, "site.css", {})
    (tmp_path / "site.css").write_text("body { color: navy }")
    after = ContentCacheBuster(str(tmp_path)).tokenize(None, "site.css", {})
    assert before != after


def test_pages_link_assets_by_their_content_and_production_keeps_them_a_year() -> None:
    with testing.testConfig(settings={"poser.environment": "production"}) as config:
        config.include("poser.apps.site.layout")
        app = webtest.TestApp(config.make_wsgi_app())
        request = testing.DummyRequest()
        path = request.static_path("poser.apps:static/css/poser.css")
        digest = hashlib.sha256(CSS.read_bytes()).hexdigest()[:12]
        assert path == f"/static/poser/css/poser.css?x={digest}"
        assert "?x=" in request.static_path("deform:static/scripts/deform.js")
        response = app.get(path)
    assert response.body == CSS.read_bytes()
    assert response.cache_control.max_age == 365 * 24 * 3600
