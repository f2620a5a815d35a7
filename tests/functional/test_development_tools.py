"""What development.ini adds: the debug toolbar (with its own, looser CSP) and pshell."""

from __future__ import annotations

import configparser
import re
from pathlib import Path
from typing import Any

from pyramid.scripting import prepare
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.entry_points.pshell import setup
from poser.models.orm import Product
from tests.factories import make_data_set, make_user
from tests.functional.conftest import CLIENT_ADDR, StrictTestApp

ROOT = Path(__file__).resolve().parents[2]


def test_development_ini_includes_the_toolbar_and_names_the_pshell_setup() -> None:
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(ROOT / "development.ini", encoding="utf-8")
    assert "pyramid_debugtoolbar" in ini["app:main"]["pyramid.includes"]
    assert ini["pshell"]["setup"] == "poser.entry_points.pshell.setup"
    production = configparser.ConfigParser(interpolation=None)
    production.read(ROOT / "production.ini", encoding="utf-8")
    assert "pyramid_debugtoolbar" not in production["app:main"].get("pyramid.includes", "")


def test_the_toolbar_pages_alone_allow_inline_script(make_app: Any) -> None:
    app = make_app(
        **{"pyramid.includes": "pyramid_debugtoolbar", "debugtoolbar.hosts": CLIENT_ADDR}
    )
    client = StrictTestApp(app, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})
    page = client.get("/login", status=200)
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    toolbar_url = re.search(r'href="([^"]*/_debug_toolbar/[^"]*)" target', page.text)
    assert toolbar_url, "the toolbar's button is on the page"
    toolbar = client.get(toolbar_url.group(1), status=200)
    assert "<script>" in toolbar.text  # the toolbar's own inline script...
    assert "script-src 'self' 'unsafe-inline'" in toolbar.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in toolbar.headers["Content-Security-Policy"]


def test_pshell_gives_the_session_models_data_sets_and_services(
    wsgi_app: Any, dbsession: Session, appdir: Path
) -> None:
    owner = make_user(dbsession, "pia")
    make_data_set(dbsession, "Corner Shop", {owner: "owner"})
    dbsession.commit()
    env = prepare(registry=wsgi_app.registry)
    try:
        setup(env)
        corner = env["data_sets"]["Corner Shop"]
        shell_session = env["dbsession"]
        shell_session.add(
            env["models"].Product(data_set_id=corner.id, upc="00000000000017", description="Tea")
        )
        shell_session.flush()
        assert shell_session.scalar(select(Product.description)) == "Tea"
        env["tm"].abort()  # the shell's transaction: nothing is kept unless committed
        env["files"].write("work/pshell-check.txt", b"hello")
        assert (appdir / "data" / "work" / "pshell-check.txt").read_bytes() == b"hello"
        env["files"].remove("work/pshell-check.txt")
        assert hasattr(env["jobs"], "enqueue")
    finally:
        env["closer"]()
    assert dbsession.scalars(select(Product)).all() == []
