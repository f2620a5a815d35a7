"""Widget actions as Pyramid views: one route and one view per action of each widget of
each step of each Application, registered by ``config.add_widget_action`` (which
``config.add_application`` calls for every action its widgets declare).

Each is listed by ``proutes`` and ``pviews`` as any view is: its route is named
``<app>/<step>/<widget>/<action>`` and its pattern is the step's URL with the widget and
the action after it; the view takes the action's request methods, its permission
(checked by the security policy against the data set's ACL, as for the data set's own
pages) and its renderer. A request with a method the action does not take gets a 405.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyramid.config import Configurator
from pyramid.exceptions import PredicateMismatch
from pyramid.httpexceptions import HTTPMethodNotAllowed, HTTPNotFound
from pyramid.request import Request

from poser.apps.framework.render import widget_context
from poser.apps.framework.resources import AppDataSetFactory
from poser.apps.framework.widget import action_route_name

if TYPE_CHECKING:
    from poser.apps.framework.application import Application, Step
    from poser.apps.framework.widget import Widget, WidgetAction

#: The registry's map of widget action routes to the methods their views take.
ACTIONS_KEY = "poser.widget_actions"


def add_widget_action(
    config: Configurator,
    application: Application,
    step: Step,
    widget: Widget,
    name: str,
    action: WidgetAction,
) -> None:
    """Config directive: the route and the view of one action of a widget on a step."""
    route = action_route_name(application.url_name, step.slug, widget.name, name)
    pattern = (
        f"/apps/{application.url_name}/data-sets/{{data_set_id}}"
        f"/steps/{step.slug}/{widget.name}/{name}"
    )
    config.add_route(route, pattern, factory=AppDataSetFactory(application), ids="data_set_id")
    config.add_view(
        action_view(step, widget, action),
        route_name=route,
        request_method=action.methods,
        permission=action.permission,
        renderer=action.renderer,
    )
    methods = tuple(action.methods)
    config.action(
        None, lambda: config.registry.setdefault(ACTIONS_KEY, {}).update({route: methods})
    )


def action_view(step: Step, widget: Widget, action: WidgetAction) -> Callable[[Request], Any]:
    """The view of one action: the action's callable, given the widget's context."""

    def view(request: Request) -> Any:
        return action.view(widget_context(request, step).for_widget(widget))

    # What proutes and pviews show: the widget's method (poser.apps.widgets.grid.Grid.csv).
    target = action.view
    view.__module__ = getattr(target, "__module__", None) or __name__
    view.__name__ = view.__qualname__ = getattr(target, "__qualname__", type(widget).__name__)
    view.__doc__ = getattr(target, "__doc__", None)
    return view


def method_not_allowed(exc: PredicateMismatch, request: Request) -> Any:
    """A widget action's URL with a method its view does not take: a 405 that says which
    it takes. Any other route's mismatch is the site's "not found" page."""
    route = getattr(request.matched_route, "name", None)
    methods = request.registry.get(ACTIONS_KEY, {}).get(route)
    if methods is None or request.method in methods:
        return request.invoke_exception_view((HTTPNotFound, HTTPNotFound(), None))
    request.response.headers["Allow"] = ", ".join(
        sorted({*methods, *(("HEAD",) if "GET" in methods else ())})
    )
    return request.invoke_exception_view((HTTPMethodNotAllowed, HTTPMethodNotAllowed(), None))


def includeme(config: Configurator) -> None:
    config.add_directive("add_widget_action", add_widget_action)
    config.add_exception_view(method_not_allowed, context=PredicateMismatch)
