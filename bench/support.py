"""Shared set-up for benchmarks: a database built by migrations, a data set, a user."""

from __future__ import annotations

import math
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import make_url

from poser.models.db_management import alembic_config
from poser.models.engine import get_engine, get_session_factory, write_transaction
from poser.tasks.datasets import create_data_set
from poser.tasks.generate import generate_products
from poser.tasks.users import create_user
from poser.utils.appdir import make_appdir
from poser.utils.settings import prepare_settings
from tests.database_support import postgres_database

#: The password of the throwaway user "bench" that prepare() makes.
PASSWORD = "bench password 1234"  # noqa: S105 - a throwaway user in a throwaway database


def log_in(app: Any) -> None:
    """Log the webtest app in as "bench" through the real form."""
    form = app.get("/login").forms["deform"]
    form["username"], form["password"] = "bench", PASSWORD
    form.submit("submit", status=303)


def percentile(times: list[float], fraction: float) -> float:
    ordered = sorted(times)
    # Nearest rank: the smallest time that at least ``fraction`` of the times do not exceed.
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of a throwaway database: SQLite in ``folder``, or (kind "postgresql") a new
    database on the server POSER_BENCH_DATABASE_URL names, dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite'}"
        return
    url = make_url(os.environ["POSER_BENCH_DATABASE_URL"])
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    name = f"poser_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with postgres_database(url, name) as named:
        yield named


@contextmanager
def bench_database(folder: Path) -> Iterator[dict[str, Any]]:
    """Settings for a fresh database at the newest schema, with an app dir in ``folder``:
    PostgreSQL when POSER_BENCH_DATABASE_URL is set, else SQLite."""
    make_appdir(folder / "app")
    kind = "postgresql" if os.environ.get("POSER_BENCH_DATABASE_URL") else "sqlite"
    with database(kind, folder / "app" / "data") as url:
        raw = {
            "poser.appdir": str(folder / "app"),
            "sqlalchemy.url": url,
            "session.secret": "x" * 48,
            "poser.queue.name": f"poser-bench-{uuid.uuid4().hex[:8]}",
        }
        settings = prepare_settings(raw, environ={})
        command.upgrade(alembic_config(settings), "head")
        yield settings


def prepare(settings: dict[str, Any], products: int, password: str) -> int:
    """A user "bench" owning a data set of ``products`` generated products; its id."""
    engine = get_engine(settings)
    try:
        with write_transaction(get_session_factory(engine)) as session:
            user = create_user(session, "bench", password, role="operator")
            data_set = create_data_set(session, "Bench", "products", user)
            generate_products(data_set, products=products, seed=1)
            data_set_id = data_set.id
        if engine.dialect.name == "postgresql":
            # What autovacuum does soon after a load: without it the first minutes
            # measure the plans of a table the planner believes empty.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        return data_set_id
    finally:
        engine.dispose()
