"""Rendering a step's page, for the step view and for widgets that show it again with
their errors (a form that did not validate)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup
from pyramid.renderers import render_to_response
from pyramid.request import Request
from pyramid.response import Response

from poser.apps.framework.application import Step
from poser.apps.framework.widget import WidgetContext
from poser.models.data_extraction.steps import step_states

TEMPLATE = "framework/step.jinja2"
HOME_TEMPLATE = "framework/data_set_home.jinja2"


def widget_context(request: Request, step: Step) -> WidgetContext:
    context = request.context
    return WidgetContext(request, context.application, step, context.data_set, context.role)


def _states(request: Request) -> dict[str, str]:
    # Only steps a widget can complete have a state: the widget's own when it knows it
    # (`Widget.step_state`), else the step's records, read only for such steps (an
    # Application without any, a catalog to browse, spares the queries on every page).
    context = request.context
    application = context.application
    shown: dict[str, str] = {}
    recorded: dict[str, Step] = {}
    for step in application.steps:
        if not step.tracked:
            continue
        ctx = widget_context(request, step)
        known = [
            state
            for widget in step.widgets
            if widget.completes_step and (state := widget.step_state(ctx.for_widget(widget)))
        ]
        if known:
            shown[step.slug] = known[0]
        else:
            recorded[application.step_key(step)] = step
    if recorded:
        inputs = {key: step.inputs for key, step in recorded.items()}
        states = step_states(request.dbsession, context.data_set.id, inputs)
        shown.update({step.slug: states[key] for key, step in recorded.items()})
    return shown


def home_values(request: Request) -> dict[str, Any]:
    """The data set home's template values beside its dashboard's: the step list."""
    context = request.context
    return {
        "application": context.application,
        "data_set": context.data_set,
        "role": context.role,
        "states": _states(request),
    }


def step_values(
    request: Request, step: Step, overrides: Mapping[str, Markup] | None = None
) -> dict[str, Any]:
    """The step page's template values; ``overrides`` replace some widgets' HTML."""
    overrides = overrides or {}
    ctx = widget_context(request, step)
    application = ctx.application
    states = _states(request)
    rows = [
        [
            (widget, overrides.get(widget.name) or widget.render(ctx.for_widget(widget)))
            for widget in row
        ]
        for row in step.rows()
    ]
    return {
        "application": application,
        "data_set": ctx.data_set,
        "role": ctx.role,
        "step": step,
        "states": states,
        "rows": rows,
    }


def render_step(
    request: Request, step: Step, overrides: Mapping[str, Markup] | None = None
) -> Response:
    return render_to_response(TEMPLATE, step_values(request, step, overrides), request=request)
