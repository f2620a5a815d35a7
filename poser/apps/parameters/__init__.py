"""Parameters: typed, validated values an Application keeps per data set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

TYPES = ("int", "decimal", "str", "bool", "date", "choice")


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
        """A stored value back to its type; the default when absent or unreadable."""
        if stored is None:
            return self.default
        try:
            if self.type == "int":
                return int(stored)
            if self.type == "decimal":
                return Decimal(str(stored))
            if self.type == "bool":
                return bool(stored)
            if self.type == "date":
                return dt.date.fromisoformat(str(stored))
            if (
                self.type == "choice"
                and self.choices_of is None
                and stored not in {value for value, _ in self.choices}
            ):
                return self.default
        except (ValueError, TypeError, InvalidOperation):
            return self.default
        return stored

    def problem(self, value: Any) -> str | None:
        if value is None:
            return "Required." if self.required else None
        return self.validator(value) if self.validator else None


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
