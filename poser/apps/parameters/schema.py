"""Parameters as a deform form: one colander node per parameter, typed and validated."""

from __future__ import annotations

from collections.abc import Sequence
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


def _widget(parameter: Parameter) -> deform.widget.Widget | None:
    if parameter.type == "choice":
        return deform.widget.SelectWidget(values=list(parameter.choices))
    if parameter.type == "bool":
        return deform.widget.CheckboxWidget()
    if parameter.type == "date":
        # The browser's own date input: deform's date picker needs inline script.
        return deform.widget.TextInputWidget(attributes={"type": "date"})
    return None


def parameter_node(parameter: Parameter) -> colander.SchemaNode:
    node = colander.SchemaNode(
        _TYPES[parameter.type](),
        name=parameter.name,
        title=parameter.label,
        description=parameter.help,
        validator=_validator(parameter),
    )
    if parameter.type == "bool":
        node.missing = False
    elif not parameter.required:
        node.missing = None
    widget = _widget(parameter)
    if widget is not None:
        node.widget = widget
    return node


def parameters_schema(parameters: Sequence[Parameter]) -> colander.Schema:
    schema = CSRFSchema()
    for parameter in parameters:
        schema.add(parameter_node(parameter))
    return schema
