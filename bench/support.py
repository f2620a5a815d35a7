"""Shared set-up for benchmarks: a database built by migrations, a data set, a user."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import create_engine, make_url

from poser.models.db_management import alembic_config
from poser.models.engine import get_engine, get_session_factory, write_transaction
from poser.tasks.datasets import create_data_set
from poser.tasks.generate import generate_products
from poser.tasks.users import create_user
from poser.utils.appdir import make_appdir
from poser.utils.settings import prepare_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def bench_database(folder: Path) -> Iterator[dict[str, Any]]:
    """Settings for a fresh database (SQLite in ``folder``, or a new PostgreSQL database
    when POSER_BENCH_DATABASE_URL names a server) at the newest schema."""
    make_appdir(folder / "app")
    server = os.environ.get("POSER_BENCH_DATABASE_URL")
    name = f"poser_bench_{uuid.uuid4().hex[:8]}"
    admin = None
    if server:
        admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{folder / 'app' / 'data' / 'bench.sqlite'}"
    raw = {
        "poser.appdir": str(folder / "app"),
        "sqlalchemy.url": url,
        "session.secret": "x" * 48,
        "poser.queue.name": name,
    }
    settings = prepare_settings(raw, environ={})
    try:
        command.upgrade(alembic_config(settings), "head")
        yield settings
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()


def prepare(settings: dict[str, Any], products: int, password: str) -> int:
    """A user "bench" owning a data set of ``products`` generated products; its id."""
    engine = get_engine(settings)
    try:
        with write_transaction(get_session_factory(engine)) as session:
            user = create_user(session, "bench", password, role="operator")
            data_set = create_data_set(session, "Bench", "products", user)
            generate_products(data_set, products=products, seed=1)
            return data_set.id
    finally:
        engine.dispose()
