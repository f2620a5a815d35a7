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


def _positive(value: Decimal) -> str | None:
    return None if value > 0 else "Must be more than zero."


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("NaN", "Give a number."),
        ("sNaN", "Give a number."),
        ("-Infinity", "Give a number."),
        ("Infinity", "Give a number."),
        ("1e30", "at most 30 digits before the point"),
        ("1" * 31, "at most 30 digits before the point"),
        ("1e-21", "at most 20 digits after the point"),
    ],
)
def test_a_decimal_is_a_finite_number_a_column_holds(typed: str, message: str) -> None:
    # The parameter's own validator compares: it never sees a NaN, which cannot be.
    node = parameter_node(Parameter("t", "T", "decimal", validator=_positive))
    with pytest.raises(colander.Invalid, match=message):
        node.deserialize(typed)


def test_a_decimal_may_have_all_the_digits_it_is_allowed() -> None:
    node = parameter_node(Parameter("t", "T", "decimal"))
    assert node.deserialize("9" * 30) == Decimal("9" * 30)
    assert node.deserialize("0." + "0" * 19 + "1") == Decimal("1e-20")
    assert node.deserialize("1.5000000000000000000000000") == Decimal("1.5")


def test_an_int_is_one_a_bigint_holds() -> None:
    node = parameter_node(Parameter("n", "N", "int"))
    assert node.deserialize(str(2**63 - 1)) == 2**63 - 1
    with pytest.raises(colander.Invalid, match="too large"):
        node.deserialize(str(2**63))
    with pytest.raises(colander.Invalid, match="too large"):
        node.deserialize("-" + "9" * 40)


def test_a_choice_is_one_of_its_choices_when_saved() -> None:
    choice = Parameter("c", "C", "choice", default="a", choices=[("a", "A"), ("b", "B")])
    node = parameter_node(choice)
    assert node.deserialize("b") == "b"
    with pytest.raises(colander.Invalid, match="Choose one of the choices offered"):
        node.deserialize("z")


@pytest.mark.parametrize(
    ("kind", "stored"),
    [
        ("decimal", "NaN"),
        ("decimal", "sNaN"),
        ("decimal", "-Infinity"),
        ("decimal", "1E+999999"),
        ("int", str(2**70)),
        ("int", True),
        ("int", [1]),
        ("str", {"a": 1}),
        ("choice", ["a"]),
        ("choice", "z"),
    ],
)
def test_a_stored_value_it_could_not_save_reads_as_not_set(kind: str, stored: object) -> None:
    choices = [("a", "A")] if kind == "choice" else ()
    parameter = Parameter("p", "P", kind, default=None, choices=choices, required=False)
    assert parameter.from_json(stored) is None
    assert parameter.problem(parameter.from_json(stored)) is None
