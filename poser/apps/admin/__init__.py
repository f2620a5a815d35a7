"""Administration pages: admins only (the "admin" permission, which only the admin
role has). They read and show; nothing here runs a command."""

from __future__ import annotations

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.include("poser.apps.site.routes")  # the ids predicate
    config.include("poser.apps.admin.upgrades")
    config.include("poser.apps.admin.users")
    config.include("poser.apps.admin.site")
