"""Settings: the ini file's values, overridden by a documented set of environment variables.

The same function prepares settings for every process (web, CLI, worker, alembic), so
each sees the same database, app dir and secrets.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from pyramid.settings import asbool

#: environment variable -> settings key. Documented in README.md; keep the two in step.
ENV_OVERRIDES: dict[str, str] = {
    "POSER_ENVIRONMENT": "poser.environment",
    "POSER_APPDIR": "poser.appdir",
    "POSER_DATABASE_URL": "sqlalchemy.url",
    "POSER_SESSION_SECRET": "session.secret",
    "POSER_SESSION_TYPE": "session.type",
    "POSER_SESSION_URL": "session.url",
    "POSER_SESSION_SECURE": "session.secure",
    "POSER_QUEUE_URL": "poser.queue.url",
    "POSER_STORAGE_BACKEND": "poser.storage.backend",
    "POSER_S3_BUCKET": "poser.storage.s3.bucket",
    "POSER_S3_PREFIX": "poser.storage.s3.prefix",
    "POSER_S3_ENDPOINT_URL": "poser.storage.s3.endpoint_url",
    "POSER_S3_REGION": "poser.storage.s3.region",
}

#: Values that must never be accepted as a production secret.
KNOWN_WEAK_SECRETS = frozenset(
    {"", "secret", "changeme", "change-me", "seekrit", "itsaseekreet", "development"}
)
MIN_SECRET_LENGTH = 32
DEV_SECRET_FILE = "session-secret"  # noqa: S105 - a file name, not a secret


class SettingsError(ValueError):
    """Settings that cannot work; the message names the setting and how to fix it."""


def is_production(settings: Mapping[str, object]) -> bool:
    return str(settings.get("poser.environment", "development")).strip() == "production"


def prepare_settings(
    settings: Mapping[str, object],
    here: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """Return a new settings dict with environment overrides and derived defaults applied."""
    environ = os.environ if environ is None else environ
    result = dict(settings)
    for variable, key in ENV_OVERRIDES.items():
        value = environ.get(variable)
        if value is not None and value != "":
            result[key] = value

    result.setdefault("poser.environment", "development")
    base = Path(here) if here else Path.cwd()
    appdir = Path(str(result.get("poser.appdir") or base / "app")).expanduser()
    if not appdir.is_absolute():
        appdir = (base / appdir).resolve()
    result["poser.appdir"] = str(appdir)

    if not result.get("sqlalchemy.url"):
        result["sqlalchemy.url"] = f"sqlite:///{appdir / 'data' / 'poser.sqlite'}"
    result.setdefault("session.type", "file")
    if result["session.type"] == "file":
        result.setdefault("session.data_dir", str(appdir / "sessions" / "data"))
        result.setdefault("session.lock_dir", str(appdir / "sessions" / "lock"))
    # Sessions hold only JSON; pickle would let anyone who can write the session
    # store run code in the web process.
    result["session.data_serializer"] = "json"
    result.setdefault("session.httponly", "true")
    result.setdefault("session.samesite", "Lax")
    if is_production(result):
        result["session.secure"] = "true"
    result.setdefault("session.secure", "false")

    _check_secret(result, appdir)
    if is_production(result) and "pyramid_debugtoolbar" in str(result.get("pyramid.includes", "")):
        # Its pages run any Python typed into them: never on a site people use.
        raise SettingsError("pyramid_debugtoolbar is for development: remove it from production")
    return result


def _check_secret(settings: dict[str, object], appdir: Path) -> None:
    secret = str(settings.get("session.secret") or "")
    if is_production(settings):
        if not secret:
            raise SettingsError(
                "POSER_SESSION_SECRET is missing: production needs a random secret of at "
                f"least {MIN_SECRET_LENGTH} characters in the environment "
                '(python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        if secret.lower() in KNOWN_WEAK_SECRETS:
            raise SettingsError("POSER_SESSION_SECRET is a well-known default: set a random one")
        if len(secret) < MIN_SECRET_LENGTH:
            raise SettingsError(
                f"POSER_SESSION_SECRET is too short ({len(secret)} characters): "
                f"production needs at least {MIN_SECRET_LENGTH}"
            )
        return
    if not secret:
        settings["session.secret"] = development_secret(appdir)


def development_secret(appdir: Path) -> str:
    """A random secret kept in the app dir, so development sessions survive restarts."""
    path = appdir / DEV_SECRET_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    value = secrets.token_urlsafe(48)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    except OSError:
        # A read-only or missing app dir: sessions last as long as the process.
        return value
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value


def setting_bool(settings: Mapping[str, object], key: str, default: bool = False) -> bool:
    return asbool(settings.get(key, default))


def setting_int(settings: Mapping[str, object], key: str, default: int) -> int:
    value = settings.get(key, default)
    try:
        return int(str(value).strip())
    except ValueError as exc:
        raise SettingsError(f"{key} must be a whole number, not {value!r}") from exc


def load_settings(
    config_file: str | os.PathLike[str], section: str = "app:main"
) -> dict[str, object]:
    """Read a PasteDeploy ini's app settings and prepare them as the web app would."""
    import plaster

    path = Path(config_file).resolve()
    if not path.is_file():
        raise SettingsError(f"config file not found: {config_file}")
    loader = plaster.get_loader(str(path), protocols=["wsgi"])
    raw = loader.get_settings(section)
    return prepare_settings(raw, here=path.parent)
