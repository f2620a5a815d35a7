"""The upgrades' pages: the list, and an upgrade's record (status, who, when, how
long, the package diff, the migrations it applied, its output, followed while it
runs). Upgrades are run by `poser upgrade run`; no page runs one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPNotFound
from pyramid.request import Request
from pyramid.view import view_config

from poser.apps.site.paging import page_number
from poser.models.data_extraction.upgrades import recent_upgrades, upgrade_by_id
from poser.tasks.upgrades.records import UpgradeRecord, duration, duration_words, read_record

PAGE_SIZE = 50


def _upgrades_dir(request: Request) -> Path:
    return Path(str(request.registry.settings["poser.appdir"])) / "data" / "upgrades"


@view_config(
    route_name="admin_upgrades",
    renderer="admin/upgrades/list.jinja2",
    request_method="GET",
    permission="admin",
)
def upgrades_list(request: Request) -> dict[str, Any]:
    page = page_number(request)
    rows, total = recent_upgrades(request.dbsession, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return {
        "upgrades": rows,
        "durations": {upgrade.id: duration_words(duration(upgrade)) for upgrade in rows},
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
    }


def _record(request: Request) -> UpgradeRecord:
    upgrade = upgrade_by_id(request.dbsession, request.matchdict["upgrade_id"])
    if upgrade is None:
        raise HTTPNotFound()
    return read_record(_upgrades_dir(request), upgrade)


@view_config(
    route_name="admin_upgrade",
    renderer="admin/upgrades/detail.jinja2",
    request_method="GET",
    permission="admin",
)
def upgrade_detail(request: Request) -> dict[str, Any]:
    return _values(request)


@view_config(
    route_name="admin_upgrade_progress",
    renderer="admin/upgrades/_live.jinja2",
    request_method="GET",
    permission="admin",
)
def upgrade_progress(request: Request) -> dict[str, Any]:
    """The live part of the page, which asks for itself again while the upgrade runs."""
    return _values(request)


def _values(request: Request) -> dict[str, Any]:
    record = _record(request)
    return {"record": record, "took": duration_words(record.duration)}


def includeme(config: Configurator) -> None:
    config.add_route("admin_upgrades", "/admin/upgrades")
    config.add_route("admin_upgrade", "/admin/upgrades/{upgrade_id}", ids="upgrade_id")
    config.add_route(
        "admin_upgrade_progress", "/admin/upgrades/{upgrade_id}/progress", ids="upgrade_id"
    )
    config.scan(__name__)
