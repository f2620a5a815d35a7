"""Parameters: typed, validated values an Application keeps per data set.

The types live in ``poser.utils.parameters``, where tasks (a report's parameters) reach
them too; the web's forms of them are in ``schema``.
"""

from poser.utils.parameters import (
    DECIMAL_DIGITS,
    DECIMAL_PLACES,
    INT_LIMIT,
    TYPES,
    Parameter,
    ParameterGroup,
    typed_values,
)

__all__ = [
    "DECIMAL_DIGITS",
    "DECIMAL_PLACES",
    "INT_LIMIT",
    "TYPES",
    "Parameter",
    "ParameterGroup",
    "typed_values",
]
