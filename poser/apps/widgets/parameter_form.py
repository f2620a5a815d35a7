"""ParameterForm: shows a ParameterGroup (or some of it) and saves it for the data set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import colander
import deform
from markupsafe import Markup
from pyramid.httpexceptions import HTTPSeeOther

from poser.apps.framework.render import render_step
from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.parameters import Parameter, typed_values
from poser.apps.parameters.schema import parameters_schema
from poser.models.data_extraction.parameters import stored_parameters
from poser.tasks.parameters import save_parameters


@dataclass
class ParameterForm(Widget):
    """``group`` names one of the Application's ParameterGroups; ``fields`` a subset."""

    group: str = ""
    fields: Sequence[str] = ()

    def parameters(self, ctx: WidgetContext) -> list[Parameter]:
        group = ctx.application.parameter_group(self.group)
        if group is None:
            raise LookupError(f"{ctx.application.url_name} has no parameter group {self.group!r}")
        return group.subset(self.fields) if self.fields else list(group.parameters)

    def form(self, ctx: WidgetContext) -> deform.Form:
        def choices(parameter: Parameter) -> list[tuple[str, str]]:
            if parameter.choices_of is None:
                return list(parameter.choices)
            return list(parameter.choices_of(ctx))

        schema = parameters_schema(self.parameters(ctx), choices).bind(request=ctx.request)
        buttons = (deform.Button("save", "Save"),) if ctx.may_edit else ()
        form = deform.Form(schema, action=ctx.action_url("save"), buttons=buttons)
        form.formid = f"parameters-{self.name}"
        return form

    def current(self, ctx: WidgetContext) -> dict[str, Any]:
        stored = stored_parameters(ctx.dbsession, ctx.data_set.id)
        values = typed_values(self.parameters(ctx), stored)
        # colander writes None as the text "None"; null is its "no value".
        return {name: colander.null if value is None else value for name, value in values.items()}

    def render(self, ctx: WidgetContext) -> Markup:
        form = self.form(ctx)
        return Markup(form.render(self.current(ctx), readonly=not ctx.may_edit))  # noqa: S704

    def actions(self) -> dict[str, WidgetAction]:
        return {"save": WidgetAction(self.save, permission="edit", methods=("POST",))}

    def save(self, ctx: WidgetContext) -> Any:
        form = self.form(ctx)
        try:
            values = form.validate(ctx.request.POST.items())
        except deform.ValidationFailure as failure:
            # Nothing is stored; the whole step is shown again with the messages.
            response = render_step(ctx.request, ctx.step, {self.name: Markup(failure.render())})  # noqa: S704
            response.status_int = 400
            return response
        stored = {p.name: p.to_json(values.get(p.name)) for p in self.parameters(ctx)}
        changed = save_parameters(ctx.data_set, self.group, stored)
        message = "Saved." if changed else "Nothing changed."
        ctx.request.session.flash(message, "success")
        return HTTPSeeOther(location=ctx.step_url())
