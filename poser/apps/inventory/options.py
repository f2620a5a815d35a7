"""The inventory's Options: how a count is applied (the mode, in operators' words), the
recount thresholds, and which departments are being counted (a box per department of
the data set). Each new count starts with them (``count_parameters``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import deform

from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.parameters import Parameter, ParameterGroup, typed_values
from poser.apps.site.forms import CSRFSchema, FormError, handle_form, make_form
from poser.models.data_extraction.inventory_counting import department_numbers
from poser.models.data_extraction.parameters import stored_parameters
from poser.tasks.batches.inventory.handler import MODE_WORDS
from poser.tasks.parameters import save_parameters

#: The stored parameter (and its group) that holds the counted departments' numbers.
DEPARTMENTS = "inventory_departments"
MAX_THRESHOLD = Decimal(1_000_000_000)


def _threshold_problem(value: Decimal | None) -> str | None:
    if value is None or Decimal(0) <= value <= MAX_THRESHOLD:
        return None
    return "Give a number from 0 up, or leave it empty."


def _threshold(name: str, label: str, help: str) -> Parameter:
    return Parameter(
        name, label, "decimal", required=False, validator=_threshold_problem, help=help
    )


OPTIONS = ParameterGroup(
    "inventory_options",
    "Count options",
    [
        Parameter(
            "inventory_mode",
            "What applying the count does",
            "choice",
            default="replace",
            choices=tuple(MODE_WORDS.items()),
            help="Replace: on-hand becomes the count. Add: the count is added to on-hand "
            "(a delivery). Zero the rest: as replace, and the products of the counted "
            "departments nobody counted go to zero (never a product of another "
            "department). Variance only: see the differences; nothing is applied.",
        ),
        _threshold(
            "inventory_threshold_units",
            "Recount when the count differs by more than (units)",
            "A row whose count differs from on-hand by more than this many units is "
            "flagged for recount. Empty: not checked.",
        ),
        _threshold(
            "inventory_threshold_percent",
            "Recount when it differs by more than (%)",
            "In percent of on-hand. Empty: not checked.",
        ),
        _threshold(
            "inventory_threshold_money",
            "Recount when the difference is worth more than (money)",
            "The difference's value at cost (at retail for a product without a cost). "
            "Empty: not checked.",
        ),
    ],
)


def counted_departments(ctx: WidgetContext) -> list[int]:
    """The numbers of the departments the Options step says are being counted."""
    stored = stored_parameters(ctx.dbsession, ctx.data_set.id).get(DEPARTMENTS) or []
    return sorted({int(n) for n in stored if isinstance(n, int | str) and str(n).isdigit()})


def count_parameters(ctx: WidgetContext) -> dict[str, Any]:
    """A new count's options, from the Options step (its handler checks them)."""
    values = typed_values(OPTIONS.parameters, stored_parameters(ctx.dbsession, ctx.data_set.id))

    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    return {
        "mode": values.get("inventory_mode") or "replace",
        "departments": counted_departments(ctx),
        "threshold_units": text(values.get("inventory_threshold_units")),
        "threshold_percent": text(values.get("inventory_threshold_percent")),
        "threshold_money": text(values.get("inventory_threshold_money")),
    }


@dataclass
class DepartmentsChoice(Widget):
    """A box per department of the data set: the departments being counted. Zero the
    rest needs them; in any mode, a counted product outside them is flagged. The boxes
    are the template's own (a fieldset, each box labelled); the form checks the CSRF
    token, and the action that each box names a department of the list."""

    template: str = field(default="widgets/inventory_departments.jinja2", repr=False)

    def form(self, ctx: WidgetContext) -> deform.Form:
        return make_form(ctx.request, CSRFSchema(), name=f"departments-{self.name}")

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        return {
            "departments": department_numbers(ctx.dbsession, ctx.data_set.id),
            "chosen": set(counted_departments(ctx)),
            "may_edit": ctx.may_edit,
        }

    def actions(self) -> dict[str, WidgetAction]:
        return {"save": WidgetAction(self.save, permission="edit", methods=("POST",))}

    def save(self, ctx: WidgetContext) -> Any:
        def act(values: dict[str, Any]) -> None:
            offered = {str(n) for n, _ in department_numbers(ctx.dbsession, ctx.data_set.id)}
            ticked = set(ctx.request.POST.getall("department"))
            if not ticked <= offered:
                raise FormError("Departments: tick departments of the list only.")
            numbers = sorted(int(n) for n in ticked)
            changed = save_parameters(ctx.data_set, DEPARTMENTS, {DEPARTMENTS: numbers})
            ctx.request.session.flash("Saved." if changed else "Nothing changed.", "success")

        return handle_form(ctx.request, self.form(ctx), act, back=ctx.step_url())
