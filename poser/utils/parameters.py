"""Parameters: typed, validated values an Application keeps per data set, and the
parameters a report is run with. Plain types of no layer: the web shows them as forms
(``poser.apps.parameters.schema``), tasks read them (reports, ``poser.tasks.reports``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

TYPES = ("int", "decimal", "str", "bool", "date", "choice")
#: What both databases' BIGINT hold: an int parameter is used in queries and job rows.
INT_LIMIT = 2**63 - 1
#: Digits a decimal parameter may have before and after the point: what a person types,
#: and what PostgreSQL's NUMERIC and Python's arithmetic hold exactly.
DECIMAL_DIGITS = 30
DECIMAL_PLACES = 20


@dataclass(frozen=True)
class Parameter:
    """One typed value. ``validator(value)`` returns an error message or None.

    ``choices_of(ctx)`` gives a choice's choices from the data set (e.g. its vendors)
    when they are not known in advance; the form offers and accepts only those.
    """

    name: str
    label: str
    type: str = "str"
    default: Any = None
    choices: Sequence[tuple[str, str]] = ()
    validator: Callable[[Any], str | None] | None = None
    help: str = ""
    required: bool = True
    choices_of: Callable[[Any], Sequence[tuple[str, str]]] | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"parameter {self.name!r}: type must be one of {TYPES}")
        if self.type == "choice" and not (self.choices or self.choices_of):
            raise ValueError(f"parameter {self.name!r}: a choice needs choices")

    def to_json(self, value: Any) -> Any:
        """The value as stored (JSON): decimals and dates as text."""
        if value is None:
            return None
        if self.type == "decimal":
            return str(value)
        if self.type == "date":
            return value.isoformat()
        return value

    def from_json(self, stored: Any) -> Any:
        """A stored value back to its type; the default (not set) when absent, unreadable,
        out of range, or not one of a choice's choices: a value stored before the rules
        or the choices changed never reaches a validator or a query."""
        if stored is None:
            return self.default
        try:
            value = self._typed(stored)
        except (ValueError, TypeError, InvalidOperation):
            return self.default
        unknown_choice = (
            self.type == "choice"
            and self.choices_of is None
            and value not in {choice for choice, _ in self.choices}
        )
        if unknown_choice or _out_of_range(self.type, value):
            return self.default
        return value

    def _typed(self, stored: Any) -> Any:
        if self.type == "int":
            if isinstance(stored, bool) or not isinstance(stored, int | str):
                raise TypeError(stored)
            return int(stored)
        if self.type == "decimal":
            return Decimal(str(stored))
        if self.type == "bool":
            return bool(stored)
        if self.type == "date":
            return dt.date.fromisoformat(str(stored))
        if not isinstance(stored, str):
            raise TypeError(stored)
        return stored

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` for people, or None. The type's own limits come
        before the ``validator``, which therefore sees only finite numbers in range."""
        if value is None:
            return "Required." if self.required else None
        limit = _out_of_range(self.type, value)
        if limit:
            return limit
        return self.validator(value) if self.validator else None


def _out_of_range(kind: str, value: Any) -> str | None:
    """Why a number cannot be kept (no NaN or infinity, no more digits than a column
    holds), or None."""
    if kind == "int" and not -INT_LIMIT <= value <= INT_LIMIT:
        return "That number is too large."
    if kind != "decimal":
        return None
    if not value.is_finite():
        return "Give a number."
    _, digits, exponent = value.as_tuple()
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if any(digits) and value.adjusted() >= DECIMAL_DIGITS:
        return f"Give a number with at most {DECIMAL_DIGITS} digits before the point."
    if any(digits) and exponent + trailing_zeros < -DECIMAL_PLACES:
        return f"Give a number with at most {DECIMAL_PLACES} digits after the point."
    return None


@dataclass(frozen=True)
class ParameterGroup:
    """Parameters shown and saved together; the group's name is an input steps can name."""

    name: str
    title: str
    parameters: Sequence[Parameter]

    def subset(self, names: Sequence[str]) -> list[Parameter]:
        wanted = set(names)
        return [parameter for parameter in self.parameters if parameter.name in wanted]


def typed_values(parameters: Sequence[Parameter], stored: Mapping[str, Any]) -> dict[str, Any]:
    """Each parameter's stored value back in its type; its default where none is stored."""
    return {
        parameter.name: parameter.from_json(stored.get(parameter.name)) for parameter in parameters
    }
