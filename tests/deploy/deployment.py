"""Poser started as docs/deploy.md deploys it, in a folder: waitress processes from
production.ini, nginx with the documented site in front of them (or none: the first
process answers plain HTTP), a worker and a scheduler; on the database it is given, with
sessions and the queue on Redis and files on moto's S3 when asked, else the embedded
defaults (sessions in files, the queue and files in the app dir).

The deployment test and the load benchmark (bench/bench_load.py) both start their site
with ``deployed``; whatever happens, every process it started is stopped on leaving.
What a site needs and this machine lacks (nginx, PostgreSQL, Redis) raises
``UnavailableError`` saying so: the test skips, the benchmark stops.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from sqlalchemy import URL, create_engine, make_url
from sqlalchemy.exc import OperationalError

from poser.utils.appdir import make_appdir
from tests.deploy import stack

#: The bucket of the S3 store on moto's server.
BUCKET = "poser-deploy"


class UnavailableError(Exception):
    """A server the site needs is not on this machine; the message says which."""


@dataclass
class Site:
    """A running deployment: where to reach it and its processes."""

    folder: Path
    env: dict[str, str]
    base: str  # the site's address: https through nginx, else http to the first process
    ca: str | bool  # what a client verifies the site's certificate with
    web_ports: tuple[int, ...]
    webs: dict[str, stack.Process]  # "127.0.0.1:port" (as nginx names it) -> process
    processes: stack.Stack
    http_port: int | None = None
    moto: str | None = None
    worker: stack.Process | None = None
    scheduler: stack.Process | None = None

    @property
    def ini(self) -> Path:
        return self.folder / "production.ini"

    @property
    def appdir(self) -> Path:
        return self.folder / "app"


def postgres_server(url: str) -> URL:
    """The maintenance database of the server ``url`` names, once it answers."""
    server = make_url(url).set(database="postgres")
    if server.drivername == "postgresql":
        server = server.set(drivername="postgresql+psycopg")
    engine = create_engine(server, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        raise UnavailableError(
            f"PostgreSQL is not reachable at {server.host}:{server.port}: {error.orig}"
        ) from error
    finally:
        engine.dispose()
    return server


def empty_redis(url: str, *, required: bool) -> None:
    """Redis database ``url`` emptied; if Redis does not answer, ``UnavailableError`` when
    ``required``, else nothing (the end of a run never turns a failure into a skip)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.RedisError as error:
        if required:
            parts = urlsplit(url)
            raise UnavailableError(
                f"Redis is not reachable at {parts.hostname}:{parts.port}: {error}"
            ) from error
    finally:
        client.close()


@contextmanager
def redis_database_held(url: str) -> Iterator[None]:
    """This machine's one site on Redis database ``url`` while it runs: another run's
    (a SQLite test run beside a PostgreSQL one, a bench) waits here for it to end,
    rather than have its queue and sessions emptied and its jobs taken by this site's
    worker. A lock file the system drops with the process that holds it."""
    import fcntl
    import tempfile

    parts = urlsplit(url)
    held = f"poser-redis-{parts.hostname}-{parts.port or 6379}-{parts.path.strip('/') or 0}.lock"
    with open(Path(tempfile.gettempdir()) / held, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@contextmanager
def deployed(
    folder: Path,
    *,
    database_url: str,
    web_processes: int = 2,
    redis_url: str | None = None,
    s3: bool = False,
    nginx: bool = True,
    worker: bool = True,
    scheduler: bool = True,
    env: dict[str, str] | None = None,
) -> Iterator[Site]:
    """The site running in ``folder`` on ``database_url`` (made if new, upgraded to the
    newest schema as `poser db upgrade` does). ``redis_url``: sessions and the queue on
    that Redis database, emptied before and after. ``env``: more environment for every
    process. Without nginx there is one web process (nothing shares requests out), on
    plain HTTP in the development environment (a session cookie without Secure)."""
    if nginx and stack.nginx_binary() is None:
        raise UnavailableError(
            "nginx is not installed (apt-get install nginx; .ci/run installs it)"
        )
    if not nginx and web_processes != 1:
        raise ValueError("without nginx there is one web process")
    with ExitStack() as held:
        if redis_url:
            held.enter_context(redis_database_held(redis_url))
            empty_redis(redis_url, required=True)
        yield from _deployed(
            folder, database_url, web_processes, redis_url, s3, nginx, worker, scheduler, env
        )


def _deployed(
    folder: Path,
    database_url: str,
    web_processes: int,
    redis_url: str | None,
    s3: bool,
    nginx: bool,
    worker: bool,
    scheduler: bool,
    env: dict[str, str] | None,
) -> Iterator[Site]:
    shutil.copy(stack.ROOT / "production.ini", folder / "production.ini")
    appdir = folder / "app"
    moto_port = stack.free_port() if s3 else None
    web_ports = tuple(stack.free_port() for _ in range(web_processes))
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("POSER_", "AWS_"))}
    environ.update(
        POSER_APPDIR=str(appdir),
        POSER_DATABASE_URL=database_url,
        POSER_SESSION_SECRET=secrets.token_urlsafe(48),
    )
    if redis_url:
        environ.update(
            POSER_SESSION_TYPE="ext:redis", POSER_SESSION_URL=redis_url, POSER_QUEUE_URL=redis_url
        )
    if s3:
        environ.update(
            POSER_STORAGE_BACKEND="s3",
            POSER_S3_BUCKET=BUCKET,
            POSER_S3_ENDPOINT_URL=f"http://127.0.0.1:{moto_port}",
            POSER_S3_REGION="us-east-1",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_EC2_METADATA_DISABLED="true",
        )
    if not nginx:
        # Plain HTTP straight to waitress: the session cookie may not ask for https,
        # which production insists on; production.ini's other settings stay.
        environ.update(POSER_ENVIRONMENT="development", POSER_SESSION_SECURE="false")
    environ.update(env or {})
    processes = stack.Stack(folder, environ)
    try:
        yield _start(processes, web_ports, moto_port, nginx, worker, scheduler)
    finally:
        processes.stop()
        if redis_url:
            empty_redis(redis_url, required=False)


def _start(
    processes: stack.Stack,
    web_ports: tuple[int, ...],
    moto_port: int | None,
    nginx: bool,
    worker: bool,
    scheduler: bool,
) -> Site:
    folder, appdir = processes.folder, Path(processes.env["POSER_APPDIR"])
    # The servers start while the schema is made: neither needs the other.
    moto = None
    if moto_port is not None:
        moto = processes.start(
            "moto", str(stack.BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(moto_port)
        )
    webs = [
        processes.start(
            f"web-{port}", str(stack.BIN / "pserve"), "production.ini", f"http_port={port}"
        )
        for port in web_ports
    ]
    front = stack.start_nginx(processes, web_ports, appdir / "data") if nginx else None
    make_appdir(appdir)
    # As docs/deploy.md: the first `poser db upgrade`, before the worker runs a job.
    processes.poser("db", "upgrade")
    poser = [sys.executable, "-m", "poser", "-c", "production.ini"]
    worker_process = processes.start("worker", *poser, "worker") if worker else None
    scheduler_process = processes.start("scheduler", *poser, "scheduler") if scheduler else None
    if moto is not None:
        moto.wait_for_port(moto_port or 0)
        requests.put(f"http://127.0.0.1:{moto_port}/{BUCKET}", timeout=10)
    for web, port in zip(webs, web_ports, strict=True):
        web.wait_for_port(port)
    if front is not None:
        front["process"].wait_for_port(front["https_port"])
    return Site(
        folder=folder,
        env=processes.env,
        base=front["base"] if front else f"http://127.0.0.1:{web_ports[0]}",
        ca=front["ca"] if front else True,
        web_ports=web_ports,
        webs=dict(zip((f"127.0.0.1:{p}" for p in web_ports), webs, strict=True)),
        processes=processes,
        http_port=front["http_port"] if front else None,
        moto=f"http://127.0.0.1:{moto_port}" if moto_port else None,
        worker=worker_process,
        scheduler=scheduler_process,
    )
