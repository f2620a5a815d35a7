"""production.ini as waitress and the app read it: waitress on loopback behind nginx,
trusting nginx's X-Forwarded-* headers alone; secure cookies; downloads handed over;
logs on stderr for the journal."""

from __future__ import annotations

import configparser
from pathlib import Path

import plaster
import pytest
from paste.deploy import loadwsgi
from waitress.adjustments import Adjustments

from poser.utils.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
INI = ROOT / "production.ini"


def server_settings(**defaults: str) -> dict[str, str]:
    loader = plaster.get_loader(str(INI), protocols=["wsgi"])
    settings = dict(loader.get_settings("server:main", defaults=defaults))
    assert settings.pop("use") == "egg:waitress#main"
    return settings


def test_waitress_listens_on_loopback_at_the_port_each_process_is_given() -> None:
    assert Adjustments(**server_settings(http_port="6543")).listen[0][3] == ("127.0.0.1", 6543)
    assert Adjustments(**server_settings(http_port="6544")).listen[0][3] == ("127.0.0.1", 6544)
    # As pserve reads it: its http_port=N, not a default of the file's.
    context = loadwsgi.loadcontext(
        loadwsgi.SERVER, f"config:{INI}", name="main", global_conf={"http_port": "6545"}
    )
    assert context.local_conf["listen"] == "127.0.0.1:6545"
    with pytest.raises(configparser.InterpolationMissingOptionError, match="http_port"):
        loadwsgi.loadcontext(loadwsgi.SERVER, f"config:{INI}", name="main")


def test_waitress_trusts_the_forwarded_headers_of_nginx_alone() -> None:
    adjustments = Adjustments(**server_settings(http_port="6543"))
    assert adjustments.trusted_proxy == "127.0.0.1"
    assert adjustments.trusted_proxy_count == 1
    assert adjustments.trusted_proxy_headers == {
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
    }
    assert adjustments.clear_untrusted_proxy_headers is True


def test_the_app_sends_secure_cookies_and_hands_downloads_over(
    monkeypatch: pytest.MonkeyPatch, clean_environ: None
) -> None:
    monkeypatch.setenv("POSER_SESSION_SECRET", "p" * 48)
    monkeypatch.setenv("POSER_APPDIR", "/srv/poser-appdir")
    settings = load_settings(INI)
    assert settings["poser.environment"] == "production"
    assert settings["session.secure"] == "true"
    assert settings["session.httponly"] == "true"
    assert settings["poser.downloads.accel_redirect"] == "/_poser_files/"
    assert int(str(settings["poser.downloads.presign_seconds"])) > 0
    assert settings["poser.appdir"] == "/srv/poser-appdir"


def test_logs_go_to_stderr_only() -> None:
    text = INI.read_text(encoding="utf-8")
    assert "FileHandler" not in text
    assert "args = (sys.stderr,)" in text
