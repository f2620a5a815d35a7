"""ParameterForm: shows a ParameterGroup (or some of it) and saves it for the data set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import colander
import deform
from markupsafe import Markup

from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.parameters import Parameter, typed_values
from poser.apps.parameters.schema import parameters_schema
from poser.apps.site.forms import handle_form, make_form, render_form
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

        schema = parameters_schema(self.parameters(ctx), choices)
        buttons = (deform.Button("save", "Save"),) if ctx.may_edit else ()
        name = f"parameters-{self.name}"
        return make_form(ctx.request, schema, buttons, name, action=ctx.action_url("save"))

    def current(self, ctx: WidgetContext) -> dict[str, Any]:
        stored = stored_parameters(ctx.dbsession, ctx.data_set.id)
        values = typed_values(self.parameters(ctx), stored)
        # colander writes None as the text "None"; null is its "no value".
        return {name: colander.null if value is None else value for name, value in values.items()}

    def render(self, ctx: WidgetContext) -> Markup:
        """The stored values; after a refused save, what was typed and the messages."""
        form = self.form(ctx)
        return render_form(ctx.request, form, self.current(ctx), readonly=not ctx.may_edit)

    def actions(self) -> dict[str, WidgetAction]:
        return {"save": WidgetAction(self.save, permission="edit", methods=("POST",))}

    def save(self, ctx: WidgetContext) -> Any:
        def act(values: dict[str, Any]) -> None:
            stored = {p.name: p.to_json(values.get(p.name)) for p in self.parameters(ctx)}
            changed = save_parameters(ctx.data_set, self.group, stored)
            ctx.request.session.flash("Saved." if changed else "Nothing changed.", "success")

        return handle_form(ctx.request, self.form(ctx), act, back=ctx.step_url())
