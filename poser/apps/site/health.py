"""/healthz: is this process able to serve? JSON, no login, no secrets."""

from __future__ import annotations

import logging
from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


def check_database(request: Request) -> dict[str, Any]:
    try:
        request.dbsession.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError as exc:
        log.error("health: database check failed: %s", exc)
        request.tm.doom()
        return {"ok": False, "error": "database unreachable"}
    return {"ok": True}


def check_queue(request: Request) -> dict[str, Any]:
    # The queue service reports on itself: reachable, pending jobs, last worker heartbeat.
    return request.find_service(name="jobs").status()


@view_config(
    route_name="healthz", renderer="json", permission=NO_PERMISSION_REQUIRED, request_method="GET"
)
def healthz(request: Request) -> dict[str, Any]:
    checks = {"database": check_database(request), "queue": check_queue(request)}
    ok = all(check["ok"] for check in checks.values())
    request.response.status_int = 200 if ok else 503
    return {"status": "ok" if ok else "failing", "checks": checks}


def includeme(config: Configurator) -> None:
    config.add_route("healthz", "/healthz")
    config.scan(__name__)
