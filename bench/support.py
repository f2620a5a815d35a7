"""Shared set-up for benchmarks: a database built by migrations, a data set, a user."""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, make_url

from poser.models.db_management import alembic_config
from poser.models.engine import get_engine, get_session_factory, write_transaction
from poser.models.orm import Product
from poser.tasks.bulk import refresh_statistics
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


def cache_folder() -> Path:
    """Where generated databases are kept between runs: BENCH_CACHE_DIR, else a folder
    in the system's temporary folder. Delete it (and, on PostgreSQL, the databases named
    ``poser_bench_cache_...``) to start afresh."""
    folder = os.environ.get("BENCH_CACHE_DIR") or os.path.join(tempfile.gettempdir(), "poser-bench")
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder)


@contextmanager
def cached_database(
    kind: str, folder: Path, name: str, make: Callable[[str], int]
) -> Iterator[tuple[str, int]]:
    """(the URL of a throwaway database, the id ``make`` returned): a copy of the one
    ``make(url)`` filled the first time ``name`` was asked for (``make`` migrates,
    generates and returns a data set's id). A million products take minutes to
    generate; a copy takes seconds (SQLite: the file; PostgreSQL: CREATE DATABASE ...
    TEMPLATE). A cache kept at an older schema is copied and upgraded, and its
    product statistics refreshed as a generated data set's are. BENCH_NO_CACHE=1
    generates anew."""
    scripts = ScriptDirectory.from_config(alembic_config({}))
    head = scripts.get_current_head()
    key = f"{kind}-{name}-{head}"
    known = {script.revision for script in scripts.walk_revisions()}
    index_file = cache_folder() / "index.json"
    index = json.loads(index_file.read_text()) if index_file.exists() else {}
    if os.environ.get("BENCH_NO_CACHE"):
        index = {}
    prefix = f"{kind}-{name}-"
    older = next((k for k in index if k.startswith(prefix) and k[len(prefix) :] in known), None)
    older = None if older == key else older
    server = make_url(os.environ.get("POSER_BENCH_DATABASE_URL") or "postgresql://")
    server = server.set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")

    def stored(key: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{cache_folder() / f'{key}.sqlite'}"
        return server.set(
            database=f"poser_bench_cache_{key.replace('-', '_')}"[:63]
        ).render_as_string(hide_password=False)

    def copy(source: str, target: str) -> None:
        if kind == "sqlite":
            shutil.copyfile(make_url(source).database or "", make_url(target).database or "")
            return
        old, new = make_url(source).database, make_url(target).database
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{new}"')
            connection.exec_driver_sql(f'CREATE DATABASE "{new}" TEMPLATE "{old}"')

    try:
        if key not in index and older is not None:
            copy(stored(older), stored(key))
            command.upgrade(alembic_config({"sqlalchemy.url": stored(key)}), "head")
            engine = get_engine({"sqlalchemy.url": stored(key)})
            with engine.begin() as connection:
                refresh_statistics(connection, Product.__table__)  # type: ignore[arg-type]
            engine.dispose()
            index[key] = index[older]
        elif key not in index:
            if kind == "postgresql":
                with admin.connect() as connection:
                    name_ = make_url(stored(key)).database
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name_}"')
                    connection.exec_driver_sql(f'CREATE DATABASE "{name_}"')
            index[key] = make(stored(key))
        index_file.write_text(json.dumps(index))
        if kind == "sqlite":
            run = f"sqlite:///{folder / 'bench.sqlite'}"
        else:
            run = server.set(database=f"poser_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}")
            run = run.render_as_string(hide_password=False)
        copy(stored(key), run)
        try:
            yield run, index[key]
        finally:
            if kind == "postgresql":
                with admin.connect() as connection:
                    name_ = make_url(run).database
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name_}" WITH (FORCE)')
    finally:
        admin.dispose()


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


def settle(engine: Any) -> None:
    """The statistics a running site has soon after a load: VACUUM ANALYZE on
    PostgreSQL (autovacuum's work: the plans of a table the planner believes empty are
    not a running site's), ANALYZE on SQLite."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


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
