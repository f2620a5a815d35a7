from __future__ import annotations

import datetime as dt
from decimal import Decimal

import colander
import pytest

from poser.apps.parameters import Parameter, ParameterGroup
from poser.apps.parameters.schema import parameter_node


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        ("int", 7, 7),
        ("decimal", Decimal("2.50"), "2.50"),
        ("str", "ACME", "ACME"),
        ("bool", True, True),
        ("date", dt.date(2026, 12, 1), "2026-12-01"),
    ],
)
def test_values_round_trip_through_json(kind: str, value: object, stored: object) -> None:
    parameter = Parameter("p", "P", kind)
    assert parameter.to_json(value) == stored
    assert parameter.from_json(stored) == value


def test_unreadable_or_unknown_stored_values_give_the_default() -> None:
    assert Parameter("p", "P", "int", default=3).from_json("lots") == 3
    assert Parameter("p", "P", "date", default=None).from_json("soon") is None
    choice = Parameter("p", "P", "choice", default="a", choices=[("a", "A"), ("b", "B")])
    assert choice.from_json("z") == "a"
    assert choice.from_json("b") == "b"
    assert Parameter("p", "P", "int", default=3).from_json(None) == 3


def test_bad_declarations_fail_at_once() -> None:
    with pytest.raises(ValueError, match="type must be one of"):
        Parameter("p", "P", "float")
    with pytest.raises(ValueError, match="a choice needs choices"):
        Parameter("p", "P", "choice")


def test_nodes_validate_with_the_parameters_rule() -> None:
    positive = Parameter(
        "t", "T", "decimal", validator=lambda v: None if v > 0 else "Must be more than zero."
    )
    node = parameter_node(positive)
    assert node.deserialize("1.5") == Decimal("1.5")
    with pytest.raises(colander.Invalid, match=r"Must be more than zero\."):
        node.deserialize("-1")
    with pytest.raises(colander.Invalid):
        node.deserialize("abc")
    optional = parameter_node(Parameter("d", "D", "date", required=False))
    assert optional.deserialize(colander.null) is None
    assert parameter_node(Parameter("b", "B", "bool")).deserialize(colander.null) is False


def test_a_group_subset_keeps_the_declared_order() -> None:
    group = ParameterGroup(
        "g", "G", [Parameter("a", "A"), Parameter("b", "B"), Parameter("c", "C")]
    )
    assert [p.name for p in group.subset(["c", "a"])] == ["a", "c"]
