"""Widgets: the parts of a step's page. They hold no logic: they read through
models.data_extraction and act through tasks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from pyramid.renderers import render
from pyramid.request import Request
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from poser.apps.framework.application import Application, Step
    from poser.models.orm import DataSet


@dataclass
class WidgetContext:
    """What a widget renders or acts with: the request, where it is, and the data set."""

    request: Request
    application: Application
    step: Step
    data_set: DataSet
    role: str
    widget: Widget | None = None

    @property
    def dbsession(self) -> Session:
        return self.request.dbsession

    @property
    def may_edit(self) -> bool:
        return bool(self.request.has_permission("edit"))

    def for_widget(self, widget: Widget) -> WidgetContext:
        return WidgetContext(
            self.request, self.application, self.step, self.data_set, self.role, widget
        )

    @property
    def step_key(self) -> str:
        """This step's name in the data set's progress (`Application.step_key`)."""
        return self.application.step_key(self.step)

    def step_url(self, **query: Any) -> str:
        return self.request.route_path(
            "app_step",
            app=self.application.url_name,
            data_set_id=self.data_set.id,
            step=self.step.slug,
            _query=_clean(query),
        )

    def action_url(self, action: str, **query: Any) -> str:
        """The URL of one of this widget's actions (its own route)."""
        assert self.widget is not None, "action_url needs the widget's own context"
        route = action_route_name(
            self.application.url_name, self.step.slug, self.widget.name, action
        )
        return self.request.route_path(route, data_set_id=self.data_set.id, _query=_clean(query))


def action_route_name(application: str, step: str, widget: str, action: str) -> str:
    """The route of a widget's action (``poser.apps.framework.actions``): its
    Application's, step's, widget's and action's names, ``catalog/apply/apply/run``."""
    return f"{application}/{step}/{widget}/{action}"


def _clean(query: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in query.items() if value not in (None, "")}


@dataclass(frozen=True)
class WidgetAction:
    """A widget's own endpoint, registered as a Pyramid view of its own route
    (``poser.apps.framework.actions``): ``view(widget_context)`` returns a Response, or
    with a ``renderer``, the renderer's values.

    ``permission`` is the view's: the security policy checks it against the data set's
    ACL ("view" to read, "edit" to change). ``methods`` are the request methods it takes
    (a GET answers HEAD too); any other gets a 405.
    """

    view: Callable[[WidgetContext], Any]
    permission: str = "view"
    methods: tuple[str, ...] = ("GET",)
    renderer: str | None = None


@dataclass
class Widget:
    """Base class. Subclasses set ``template`` or override ``render``."""

    name: str
    title: str = ""
    width: int = 12
    template: str = field(default="", repr=False)

    #: True for widgets whose work completes their step (ExecuteFunction): only such
    #: steps have a state (not started, done, stale) to show.
    completes_step = False

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        """What the template gets besides ``widget`` and ``ctx``."""
        return {}

    def step_state(self, ctx: WidgetContext) -> str | None:
        """For a widget that completes its step: the step's state, when the widget knows
        it better than the record of the step's last run (a batch's apply: whether the
        batch on screen is applied, whichever way it was); None leaves it to that."""
        return None

    def render(self, ctx: WidgetContext) -> Markup:
        values = {"widget": self, "ctx": ctx, **self.values(ctx)}
        return Markup(render(self.template, values, request=ctx.request))  # noqa: S704

    def actions(self) -> dict[str, WidgetAction]:
        return {}
