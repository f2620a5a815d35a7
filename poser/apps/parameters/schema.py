"""Parameters as a deform form: one colander node per parameter, typed and validated."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import colander
import deform

from poser.apps.parameters import Parameter
from poser.apps.site.forms import CSRFSchema

_TYPES = {
    "int": colander.Integer,
    "decimal": lambda: colander.Decimal(quant=None),
    "str": colander.String,
    "bool": colander.Boolean,
    "date": colander.Date,
    "choice": colander.String,
}


def _validator(parameter: Parameter) -> Any:
    def validate(node: colander.SchemaNode, value: Any) -> None:
        problem = parameter.problem(value)
        if problem:
            raise colander.Invalid(node, problem)

    return validate


Choices = Callable[[Parameter], Sequence[tuple[str, str]]]


def _static_choices(parameter: Parameter) -> Sequence[tuple[str, str]]:
    return parameter.choices


def _widget(parameter: Parameter, choices: Choices) -> deform.widget.Widget | None:
    if parameter.type == "choice":
        values = list(choices(parameter))
        if parameter.choices_of is not None:
            values = [("", "- choose -"), *values]
        return deform.widget.SelectWidget(values=values)
    if parameter.type == "bool":
        return deform.widget.CheckboxWidget()
    if parameter.type == "date":
        # The browser's own date input: deform's date picker needs inline script.
        return deform.widget.TextInputWidget(attributes={"type": "date"})
    return None


def parameter_node(parameter: Parameter, choices: Choices = _static_choices) -> colander.SchemaNode:
    validator = _validator(parameter)
    if parameter.type == "choice":
        # Only what the form offers is saved: a choice outside them (a forged form, a
        # page older than the choices) is refused, never stored.
        offered = [value for value, _ in choices(parameter)]
        validator = colander.All(
            colander.OneOf(offered, msg_err="Choose one of the choices offered."), validator
        )
    node = colander.SchemaNode(
        _TYPES[parameter.type](),
        name=parameter.name,
        title=parameter.label,
        description=parameter.help,
        validator=validator,
    )
    if parameter.type == "bool":
        node.missing = False
    elif not parameter.required:
        node.missing = None
    widget = _widget(parameter, choices)
    if widget is not None:
        node.widget = widget
    return node


def parameters_schema(
    parameters: Sequence[Parameter], choices: Choices = _static_choices
) -> colander.Schema:
    """``choices(parameter)`` resolves the choices of parameters with ``choices_of``."""
    schema = CSRFSchema()
    for parameter in parameters:
        schema.add(parameter_node(parameter, choices))
    return schema
