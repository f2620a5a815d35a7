"""Where `poser dev-setup` tells a developer to log in: the ini's own server address."""

from __future__ import annotations

from pathlib import Path

import pytest

from poser.entry_points.cli_appdir import login_url


@pytest.mark.parametrize(
    ("server", "url"),
    [
        ("listen = 127.0.0.1:6591", "http://127.0.0.1:6591/login"),
        ("listen = 0.0.0.0:7000 [::1]:7001", "http://127.0.0.1:7000/login"),
        ("listen = [::1]:6543", "http://[::1]:6543/login"),
        ("host = 192.168.1.5\nport = 8000", "http://192.168.1.5:8000/login"),
        ("use = egg:waitress#main", "http://127.0.0.1:8080/login"),
    ],
)
def test_the_login_address_is_where_the_ini_serves(tmp_path: Path, server: str, url: str) -> None:
    ini = tmp_path / "site.ini"
    ini.write_text(f"[app:main]\nuse = egg:poser\n\n[server:main]\n{server}\n", encoding="utf-8")
    assert login_url(str(ini)) == url


def test_an_ini_without_a_server_gets_waitress_default(tmp_path: Path) -> None:
    ini = tmp_path / "site.ini"
    ini.write_text("[app:main]\nuse = egg:poser\n", encoding="utf-8")
    assert login_url(str(ini)) == "http://127.0.0.1:8080/login"
