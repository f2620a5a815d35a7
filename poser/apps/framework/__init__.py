"""The app model: Applications made of step groups of steps of widgets, and the pages
that render any of them."""

from pyramid.config import Configurator

from poser.apps.framework.resources import app_data_set_factory, app_factory


def includeme(config: Configurator) -> None:
    config.include(".registry")
    config.include("poser.apps.site.routes")  # the ids predicate
    base = "/apps/{app}/data-sets/{data_set_id}"
    config.add_route("app_home", "/apps/{app}", factory=app_factory)
    config.add_route("app_import", "/apps/{app}/import", factory=app_factory)
    routes = {
        "app_data_set": "",
        "app_data_set_settings": "/settings",
        "app_data_set_rename": "/rename",
        "app_data_set_copy": "/copy",
        "app_data_set_export": "/export",
        "app_data_set_import": "/import",
        "app_data_set_share": "/share",
        "app_data_set_unshare": "/unshare",
        "app_data_set_delete": "/delete",
        "app_data_set_figures": "/figures",
        "app_step": "/steps/{step}",
    }
    for name, suffix in routes.items():
        config.add_route(name, base + suffix, factory=app_data_set_factory, ids="data_set_id")
    config.scan(".views")
    config.scan(".data_set_views")
    config.include("poser.apps.gui.dashboard")  # the data set's home: its dashboard
