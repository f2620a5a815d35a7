from __future__ import annotations

import pytest

from poser.apps.framework.application import Application, Step, StepGroup
from poser.apps.framework.widget import Widget
from poser.apps.parameters import Parameter, ParameterGroup


def _widgets(*widths: int) -> list[Widget]:
    return [Widget(f"w{n}", width=width) for n, width in enumerate(widths)]


def test_widgets_fill_rows_of_twelve_columns() -> None:
    step = Step("S", "s", _widgets(6, 6, 4, 12, 3))
    assert [[w.name for w in row] for row in step.rows()] == [["w0", "w1"], ["w2"], ["w3"], ["w4"]]


def test_only_steps_with_a_completing_widget_are_tracked() -> None:
    from poser.apps.widgets.execute import ExecuteFunction
    from tests import sample_jobs

    assert not Step("Browse", "browse", _widgets(6, 6)).tracked
    run = ExecuteFunction("run", kind=sample_jobs.touch)
    assert Step("Run", "run", [Widget("text"), run]).tracked


def test_steps_refuse_duplicate_widgets_and_bad_widths() -> None:
    with pytest.raises(ValueError, match="widget names must be unique"):
        Step("S", "s", [Widget("a"), Widget("a")])
    with pytest.raises(ValueError, match="width must be 1 to 12"):
        Step("S", "s", [Widget("a", width=13)])


def test_application_lookups_and_checks() -> None:
    group = ParameterGroup("opts", "Options", [Parameter("a", "A"), Parameter("b", "B", "int")])
    app = Application(
        "Demo",
        "demo",
        step_groups=[StepGroup("G", [Step("One", "one"), Step("Two", "two")])],
        parameters=[group],
        examples={"Small": "poser:data/x.xlsx"},
        default_example="Small",
    )
    assert [step.slug for step in app.steps] == ["one", "two"]
    assert app.step("two").name == "Two"
    assert app.step("three") is None
    assert app.parameter("b").type == "int"
    assert app.parameter_group("opts") is group
    with pytest.raises(ValueError, match="step slugs must be unique"):
        Application("X", "x", step_groups=[StepGroup("G", [Step("A", "a"), Step("B", "a")])])
    with pytest.raises(ValueError, match="parameter names must be unique"):
        Application(
            "X", "x", parameters=[group, ParameterGroup("more", "More", [Parameter("a", "A")])]
        )
    with pytest.raises(ValueError, match="is not an example"):
        Application("X", "x", default_example="Nope")
