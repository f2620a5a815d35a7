"""Applications, step groups and steps: an operator workflow, declared as data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from poser.tasks.datasets.formats import DataSetFormat, format_for

if TYPE_CHECKING:
    from poser.apps.framework.widget import Widget
    from poser.apps.parameters import Parameter, ParameterGroup

GRID_COLUMNS = 12


@dataclass
class Step:
    """One page of a workflow: widgets laid out on a 12-column grid, and help text.

    ``inputs`` names what the step's result depends on (a parameter group's name, a
    table's name). When one of them changes after the step was done, it is stale.
    """

    name: str
    slug: str
    widgets: Sequence[Widget] = ()
    help: str = ""
    inputs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [widget.name for widget in self.widgets]
        if len(names) != len(set(names)):
            raise ValueError(f"step {self.slug!r}: widget names must be unique, got {names}")
        for widget in self.widgets:
            if not 1 <= widget.width <= GRID_COLUMNS:
                raise ValueError(f"widget {widget.name!r}: width must be 1 to {GRID_COLUMNS}")

    @property
    def tracked(self) -> bool:
        """Whether the step can be done (and so shows a state): a widget completes it."""
        return any(widget.completes_step for widget in self.widgets)

    def widget(self, name: str) -> Widget | None:
        return next((widget for widget in self.widgets if widget.name == name), None)

    def rows(self) -> list[list[Widget]]:
        """The widgets in rows of at most 12 columns, in order."""
        rows: list[list[Widget]] = []
        used = GRID_COLUMNS
        for widget in self.widgets:
            if used + widget.width > GRID_COLUMNS:
                rows.append([])
                used = 0
            rows[-1].append(widget)
            used += widget.width
        return rows


@dataclass
class StepGroup:
    name: str
    steps: Sequence[Step]


@dataclass
class Application:
    """A workflow operators use on their data sets (Tropofy's app model).

    ``examples`` maps an example's name to a package resource (an xlsx with one sheet per
    table) that a new data set can be created from. ``data_sets_of`` names another
    Application whose data sets this one works on (a vendor catalog changes the data
    sets of Products), instead of having data sets of its own.

    ``data`` is the format of its data sets (`poser.tasks.datasets.formats`): the tables
    they hold, which the framework copies, exports, imports and checks for emptiness.
    It is registered by the module that declares it, for the worker too; an Application
    without one keeps only its parameters. One that works on another's data sets
    declares none: theirs is its.
    """

    name: str
    url_name: str
    description: str = ""
    icon: str = "grid"
    step_groups: Sequence[StepGroup] = ()
    parameters: Sequence[ParameterGroup] = ()
    examples: dict[str, str] = field(default_factory=dict)
    default_example: str | None = None
    permission: str = "use"
    data_sets_of: str | None = None
    data: DataSetFormat | None = None

    def __post_init__(self) -> None:
        slugs = [step.slug for step in self.steps]
        if len(slugs) != len(set(slugs)):
            raise ValueError(f"application {self.url_name!r}: step slugs must be unique")
        names = [p.name for group in self.parameters for p in group.parameters]
        if len(names) != len(set(names)):
            raise ValueError(f"application {self.url_name!r}: parameter names must be unique")
        if self.default_example and self.default_example not in self.examples:
            raise ValueError(f"default example {self.default_example!r} is not an example")
        if self.data is not None:
            if self.data_sets_of is not None:
                raise ValueError(f"{self.url_name!r} works on {self.data_sets_of!r}'s data sets")
            if format_for(self.url_name) is not self.data:
                raise ValueError(
                    f"application {self.url_name!r}: register its data set format for the kind "
                    f"{self.url_name!r} (register_format) where the format is declared"
                )

    @property
    def data_set_kind(self) -> str:
        """The value of DataSet.application for the data sets this Application opens."""
        return self.data_sets_of or self.url_name

    @property
    def steps(self) -> list[Step]:
        return [step for group in self.step_groups for step in group.steps]

    def step(self, slug: str) -> Step | None:
        return next((step for step in self.steps if step.slug == slug), None)

    def step_key(self, step: Step) -> str:
        """The step's name in its data set's progress and in the jobs it starts:
        Applications that share data sets (catalogs, counts) may share a slug ("apply"),
        not a step."""
        return f"{self.url_name}/{step.slug}"

    def parameter_group(self, name: str) -> ParameterGroup | None:
        return next((group for group in self.parameters if group.name == name), None)

    def parameter(self, name: str) -> Parameter | None:
        for group in self.parameters:
            for parameter in group.parameters:
                if parameter.name == name:
                    return parameter
        return None
