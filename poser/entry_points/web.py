"""The web process: composes the Pyramid application from settings."""

from __future__ import annotations

import gc
from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request
from pyramid_retry import mark_error_retryable
from sqlalchemy import event
from sqlalchemy.orm import Session

from poser.entry_points.plugins import application_includes, load_tasks
from poser.entry_points.queues import make_queue
from poser.entry_points.sessions import make_session_factory
from poser.models.engine import (
    SQLITE_BEGIN_OPTION,
    get_engine,
    get_session_factory,
    get_tm_session,
    is_sqlite_busy,
    write_lock_engine,
)
from poser.storage import store_from_settings
from poser.utils.settings import prepare_settings, setting_bool, setting_int


def make_wsgi_app(global_config: dict[str, Any], **settings: Any) -> Any:
    settings = prepare_settings(settings, here=global_config.get("here"))
    settings.setdefault("tm.manager_hook", "pyramid_tm.explicit_manager")
    # pyramid_tm would look up the user, to annotate each transaction with, before any
    # view runs: on a POST that begins the request's transaction, so it takes SQLite's
    # write lock there, outside the error views (a refusal must be their 503 page) and
    # ahead of the login check's own transactions, which would then wait for it. The
    # annotation serves nothing here.
    settings.setdefault("tm.annotate_user", False)
    settings.setdefault("retry.attempts", 3)
    with Configurator(settings=settings) as config:
        # The order matters; each line says why it is where it is.
        # 1. Transactions around every request, retried on transient conflicts.
        config.include("pyramid_retry")
        config.include("pyramid_tm")
        config.include(include_database)
        config.include("pyramid_services")
        config.include(include_queue)
        # 2. Sessions, then the one security policy and CSRF, which live in them.
        config.include(include_sessions)
        config.include("poser.apps.site.security")
        config.include("poser.apps.site.request_text")
        config.include("poser.apps.site.headers")
        # 3. Templates, static files and the layout every page shares.
        config.include("poser.apps.site.layout")
        # 4. The site's own pages.
        config.include("poser.apps.site.auth")
        config.include("poser.apps.site.home")
        config.include("poser.apps.site.health")
        config.include("poser.apps.site.jobs")
        config.include("poser.apps.site.exports")
        config.include("poser.apps.admin")
        # 5. The app framework, then one include per Application: those the installed
        # packages name in the poser.applications entry point group (the ini may pick
        # some), then the extra includes of poser.includes (poser.entry_points.plugins).
        config.include("poser.apps.framework")
        config.include("poser.apps.site.reports")  # a data set's reports (the framework's URLs)
        config.include("poser.apps.site.feeds")  # a data set's storefront product feed
        for name in application_includes(settings):
            config.include(name)
        # 6. Error pages last: they catch what everything above lets through.
        config.include("poser.apps.site.errors")
        router = config.make_wsgi_app()
    router.execution_policy = _closing_body_copies(router.execution_policy)
    if setting_bool(settings, "poser.gc_freeze"):
        freeze_startup_objects()
    return router


def freeze_startup_objects() -> None:
    """Leave what exists now out of every later garbage collection.

    What a server process builds at startup (modules, classes, mappers, routes,
    templates) lives as long as the process, and a full collection walks it all:
    about 150,000 objects, a pause of 85 to 135 ms that falls on one request in a few
    hundred and sets a grid page's 95th percentile. Frozen, they are skipped, and the
    pause is about 12 ms. Only for a process that serves (the ini files turn it on):
    frozen objects are never freed, so a test that builds many apps keeps it off.
    """
    gc.collect()  # startup's own garbage goes first, not into the frozen generation
    gc.freeze()


def _closing_body_copies(policy: Any) -> Any:
    """pyramid_retry copies a request's body to replay it on a retry (a large one, like
    an uploaded catalog, to a temporary file) and nothing closes the copy: the file stays
    open until the garbage collector finds it. Close it once the last attempt is done."""

    def execution_policy(environ: dict[str, Any], router: Any) -> Any:
        received = environ.get("wsgi.input")
        try:
            return policy(environ, router)
        finally:
            body = environ.get("wsgi.input")
            if body is not received and hasattr(body, "close"):
                body.close()

    return execution_policy


def include_database(config: Configurator) -> None:
    """``request.dbsession``: one session per request, joined to the request's transaction.

    On SQLite a request begins deferred: reads never wait, not even behind a long job
    (WAL), and a request that does not write (a page, a progress poll, cancelling a
    running job, logging out) never waits for the write lock. A request that writes
    waits for the lock at its first write; should its reads then be out of date
    (another writer committed since: SQLite refuses the write at once), it runs again
    from the start, and that attempt takes the write lock when its transaction begins
    (BEGIN IMMEDIATE), waiting its turn up to ``poser.sqlite.busy_timeout_ms``, after
    which nothing can refuse it. One refused after waiting that long is told the
    database is busy (a 503, poser.apps.site.errors), not run again.
    """
    engine = get_engine(config.get_settings())
    session_factory = get_session_factory(engine)
    writer = write_lock_engine(engine)
    config.registry["poser.engine"] = engine
    config.registry["dbsession_factory"] = session_factory

    @event.listens_for(engine, "handle_error")
    def _refused_at_once_is_retryable(context: Any) -> None:
        # A deferred transaction refused its first write has written nothing: the
        # request runs again, and that attempt waits for the lock at BEGIN. One that
        # began IMMEDIATE has already waited as long as allowed: it is not run again,
        # the operator is told the database is busy (a 503, poser.apps.site.errors).
        if context.sqlalchemy_exception is None or not is_sqlite_busy(context.original_exception):
            return
        connection = context.connection
        options = connection.get_execution_options() if connection is not None else {}
        if options.get(SQLITE_BEGIN_OPTION) != "IMMEDIATE":
            mark_error_retryable(context.sqlalchemy_exception)

    def dbsession(request: Request) -> Session:
        return get_tm_session(
            session_factory, request.tm, bind=writer if _is_a_retry(request) else None
        )

    config.add_request_method(dbsession, reify=True)


def _is_a_retry(request: Request) -> bool:
    """pyramid_retry runs a request again (here: one refused the lock when it wrote)."""
    return int(request.environ.get("retry.attempt") or 0) > 0


def include_queue(config: Configurator) -> None:
    """The job queue as a service: views submit jobs and read their live progress.
    The task modules are imported here, at start-up: one that fails to import stops the
    start, and a page never finds a job kind missing."""
    settings = config.get_settings()
    load_tasks(settings)
    config.register_service(make_queue(settings), name="jobs")
    config.register_service(store_from_settings(settings), name="files")


def include_sessions(config: Configurator) -> None:
    settings = config.get_settings()
    # Server-side sessions expire after this many seconds of inactivity.
    settings.setdefault("session.timeout", setting_int(settings, "poser.session_timeout", 28800))
    config.set_session_factory(make_session_factory(settings))
