"""The session backends the session tests run on: beaker's file, Redis and database
backends, each with a way to read what it stores for a session id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from beaker.container import FileNamespaceManager
from sqlalchemy import Engine, text

from tests.worker_support import REDIS_URL

BACKENDS = ("file", "ext:redis", "ext:database")


@dataclass(frozen=True)
class SessionBackend:
    """A beaker session type, the settings that choose it, and what it holds."""

    type: str
    settings: dict[str, str]
    read: Callable[[str], bytes | None]

    def stored(self, session_id: str) -> bytes | None:
        """What the backend holds for this session id, None when nothing."""
        return self.read(session_id)


def session_backend(name: str, settings: dict[str, Any], engine: Engine) -> SessionBackend:
    """The backend ``name`` for an app built from ``settings`` (the suite's, prepared)."""
    if name == "file":

        def read_file(session_id: str) -> bytes | None:
            manager = FileNamespaceManager(
                session_id, data_dir=settings["session.data_dir"], digest_filenames=False
            )
            try:
                with open(manager.file, "rb") as stored:
                    return stored.read()
            except FileNotFoundError:
                return None

        return SessionBackend(name, {"session.type": "file"}, read_file)
    if name == "ext:redis":
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        try:
            client.ping()
        except redis.RedisError as exc:
            # CI always has Redis: the Redis variant fails rather than skips without it.
            pytest.fail(
                f"Redis is not reachable at {REDIS_URL} ({exc}); the ext:redis session "
                "tests need it (POSER_TEST_REDIS_URL names another server)",
                pytrace=False,
            )

        def read_redis(session_id: str) -> bytes | None:
            return client.get(f"beaker_cache:{session_id}:session")  # type: ignore[return-value]

        return SessionBackend(
            name, {"session.type": "ext:redis", "session.url": REDIS_URL}, read_redis
        )
    if name == "ext:database":

        def read_row(session_id: str) -> bytes | None:
            with engine.connect() as connection:
                return connection.execute(
                    text("SELECT data FROM beaker_cache WHERE namespace = :id"),
                    {"id": session_id},
                ).scalar_one_or_none()

        url = engine.url.render_as_string(hide_password=False)
        return SessionBackend(name, {"session.type": "ext:database", "session.url": url}, read_row)
    raise ValueError(f"unknown session backend {name!r}")


def session_id(cookie: str) -> str:
    """The session id in a signed beaker cookie: 40 hex digits of signature, then the id."""
    return cookie.strip('"')[40:]


def dispose_beaker_engines() -> None:
    """Close the connections of beaker's engines. beaker keeps one engine per database
    URL for the life of the process (DatabaseNamespaceManager.binds); the run's
    PostgreSQL database is dropped at its end, and a connection left in a pool then is
    deleted open at exit, which psycopg warns of."""
    from beaker.ext.database import DatabaseNamespaceManager

    for engine in list(DatabaseNamespaceManager.binds.dict.values()):
        engine.dispose()
