from __future__ import annotations

import stat
from pathlib import Path

import pytest

from poser.utils.settings import (
    MIN_SECRET_LENGTH,
    SettingsError,
    load_settings,
    prepare_settings,
    setting_int,
)

GOOD_SECRET = "s" * MIN_SECRET_LENGTH


def test_environment_overrides_the_ini(tmp_path: Path) -> None:
    settings = prepare_settings(
        {"sqlalchemy.url": "sqlite:///ini.sqlite", "session.secret": "from-ini"},
        here=tmp_path,
        environ={
            "POSER_DATABASE_URL": "postgresql+psycopg://db/poser",
            "POSER_SESSION_SECRET": GOOD_SECRET,
            "POSER_APPDIR": str(tmp_path / "elsewhere"),
        },
    )
    assert settings["sqlalchemy.url"] == "postgresql+psycopg://db/poser"
    assert settings["session.secret"] == GOOD_SECRET
    assert settings["poser.appdir"] == str(tmp_path / "elsewhere")


def test_an_empty_variable_does_not_override(tmp_path: Path) -> None:
    settings = prepare_settings(
        {"sqlalchemy.url": "sqlite:///ini.sqlite", "session.secret": GOOD_SECRET},
        here=tmp_path,
        environ={"POSER_DATABASE_URL": ""},
    )
    assert settings["sqlalchemy.url"] == "sqlite:///ini.sqlite"


def test_defaults_follow_the_appdir(tmp_path: Path) -> None:
    settings = prepare_settings({"session.secret": GOOD_SECRET}, here=tmp_path, environ={})
    appdir = tmp_path / "app"
    assert settings["poser.appdir"] == str(appdir)
    assert settings["sqlalchemy.url"] == f"sqlite:///{appdir / 'data' / 'poser.sqlite'}"
    assert settings["session.data_dir"] == str(appdir / "sessions" / "data")
    assert settings["session.lock_dir"] == str(appdir / "sessions" / "lock")
    assert settings["session.data_serializer"] == "json"
    assert settings["session.secure"] == "false"


def test_a_relative_appdir_is_relative_to_the_ini(tmp_path: Path) -> None:
    settings = prepare_settings(
        {"poser.appdir": "var/app", "session.secret": GOOD_SECRET}, here=tmp_path, environ={}
    )
    assert settings["poser.appdir"] == str(tmp_path / "var" / "app")


def test_sessions_are_never_pickled(tmp_path: Path) -> None:
    settings = prepare_settings(
        {"session.data_serializer": "pickle", "session.secret": GOOD_SECRET},
        here=tmp_path,
        environ={},
    )
    assert settings["session.data_serializer"] == "json"


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        (None, "POSER_SESSION_SECRET is missing"),
        ("", "POSER_SESSION_SECRET is missing"),
        ("changeme", "well-known default"),
        ("short-but-random", "too short (16 characters)"),
    ],
)
def test_production_refuses_a_bad_secret(tmp_path: Path, secret: str | None, message: str) -> None:
    raw = {"poser.environment": "production"}
    if secret is not None:
        raw["session.secret"] = secret
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        prepare_settings(raw, here=tmp_path, environ={})


def test_production_accepts_a_long_secret_and_forces_secure_cookies(tmp_path: Path) -> None:
    settings = prepare_settings(
        {"poser.environment": "production", "session.secure": "false"},
        here=tmp_path,
        environ={"POSER_SESSION_SECRET": GOOD_SECRET},
    )
    assert settings["session.secure"] == "true"


def test_development_keeps_a_private_random_secret_in_the_appdir(tmp_path: Path) -> None:
    first = prepare_settings({}, here=tmp_path, environ={})
    second = prepare_settings({}, here=tmp_path, environ={})
    assert len(first["session.secret"]) >= MIN_SECRET_LENGTH
    assert first["session.secret"] == second["session.secret"]
    secret_file = tmp_path / "app" / "session-secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600


def test_setting_int_names_the_bad_setting() -> None:
    assert setting_int({"a": " 7 "}, "a", 1) == 7
    assert setting_int({}, "a", 3) == 3
    with pytest.raises(SettingsError, match=r"poser\.x must be a whole number"):
        setting_int({"poser.x": "lots"}, "poser.x", 1)


def test_load_settings_reads_the_app_section(tmp_path: Path) -> None:
    ini = tmp_path / "site.ini"
    ini.write_text(
        "[app:main]\nuse = egg:poser\nposer.appdir = %(here)s/state\n"
        f"session.secret = {GOOD_SECRET}\n",
        encoding="utf-8",
    )
    settings = load_settings(ini)
    assert settings["poser.appdir"] == str(tmp_path / "state")


def test_load_settings_says_when_the_file_is_missing(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="config file not found"):
        load_settings(tmp_path / "missing.ini")


def test_production_refuses_the_debug_toolbar(tmp_path: Path) -> None:
    settings = {
        "poser.environment": "production",
        "session.secret": "s" * 40,
        "pyramid.includes": "pyramid_tm\npyramid_debugtoolbar",
    }
    with pytest.raises(SettingsError, match="pyramid_debugtoolbar is for development"):
        prepare_settings(settings, here=tmp_path, environ={})
    settings["poser.environment"] = "development"
    assert prepare_settings(settings, here=tmp_path, environ={})["pyramid.includes"]
