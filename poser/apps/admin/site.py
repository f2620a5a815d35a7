"""Two read-only pages: every data set's members across the site, and this site's
facts (versions, database, app dir, queue and workers, storage, the scheduler's last
runs, the latest errors in its logs)."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request
from pyramid.view import view_config

from poser.apps.framework.registry import registered_applications
from poser.models.data_extraction.administration import memberships
from poser.tasks.backups.nightly import backup_plan
from poser.tasks.site_info import site_facts

QUEUE_BACKENDS = {"SqliteHuey": "SQLite, in the app dir", "RedisHuey": "Redis"}
STORAGE_BACKENDS = {"local": "Files in the app dir", "s3": "S3", "memory": "In memory (tests)"}


@view_config(
    route_name="admin_memberships",
    renderer="admin/memberships.jinja2",
    request_method="GET",
    permission="admin",
)
def memberships_page(request: Request) -> dict[str, Any]:
    names = {app.url_name: app.name for app in registered_applications(request.registry)}
    rows = memberships(request.dbsession)
    data_sets = [
        (name, names.get(application, application), list(members))
        for (_, name, application), members in groupby(
            rows, key=lambda m: (m.data_set_id, m.data_set, m.application)
        )
    ]
    return {"data_sets": data_sets}


@view_config(
    route_name="admin_info", renderer="admin/info.jinja2", request_method="GET", permission="admin"
)
def info_page(request: Request) -> dict[str, Any]:
    queue = request.find_service(name="jobs")
    backend = type(getattr(queue, "huey", queue)).__name__
    facts = site_facts(
        request.dbsession,
        request.registry.settings,
        QUEUE_BACKENDS.get(backend, backend),
        queue.status(),
    )
    return {
        "facts": facts,
        "storage": STORAGE_BACKENDS.get(facts.storage_backend, facts.storage_backend),
        "backups": backup_plan(request.registry.settings),
    }


def includeme(config: Configurator) -> None:
    config.add_route("admin_memberships", "/admin/memberships")
    config.add_route("admin_info", "/admin/info")
    config.scan(__name__)
