"""TaskForm: a form on a step that calls a task, as every form is handled
(``poser.apps.site.forms``: a colander schema, ``handle_form``, post/redirect/get).

The widget holds no rule: ``act`` hands the values to a task, and the ValueError a
task raises with its reason comes back to the form as a refusal next to ``field`` (or
at the top), nothing kept. Viewers see what the form is for, not its fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import colander
import deform
from markupsafe import Markup

from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.site.forms import CSRFSchema, FormError, button, handle_form, make_form, render_form

#: What a form's action does: a message for the operator when done, or the message
#: and the page to go to.
Act = Callable[[WidgetContext, dict[str, Any]], str | tuple[str, str]]
#: The form's fields (added to a schema with the CSRF token).
Fields = Callable[[WidgetContext], list[colander.SchemaNode]]


@dataclass(kw_only=True)
class TaskForm(Widget):
    fields: Fields
    act: Act
    submit: str | Callable[[WidgetContext], str] = "Save"
    style: str = "btn-primary"
    #: Shown above the fields: what the form does, in a sentence.
    intro: str = ""
    #: Shown only when the form has something to act on (a vendor to delete, say);
    #: such a form has a ``heading`` instead of a title, shown with it. ``instead``
    #: says, under the heading, why it is not shown (None: nothing at all is).
    shown: Callable[[WidgetContext], bool] | None = None
    heading: str = ""
    instead: Callable[[WidgetContext], str | None] | None = None
    #: Where the form goes back to; by default its step.
    back: Callable[[WidgetContext], str] | None = None
    #: The values the form shows (hidden fields too).
    current: Callable[[WidgetContext], dict[str, Any]] | None = None
    template: str = field(default="", repr=False)

    def form(self, ctx: WidgetContext) -> deform.Form:
        submit = self.submit(ctx) if callable(self.submit) else self.submit
        schema = CSRFSchema()
        for node in self.fields(ctx):
            schema.add(node)
        return make_form(
            ctx.request,
            schema,
            (button("submit", submit, self.style),),
            f"form-{self.name}",
            action=ctx.action_url("submit"),
        )

    def render(self, ctx: WidgetContext) -> Markup:
        heading = Markup('<h2 class="h5">{}</h2>').format(self.heading) if self.heading else ""
        if self.shown is not None and not self.shown(ctx):
            said = self.instead(ctx) if self.instead else None
            if not said:
                return Markup("")
            return heading + Markup('<p class="small" data-testid="{}-instead">{}</p>').format(
                self.name, said
            )
        intro = Markup('<p class="small text-body-secondary">{}</p>').format(self.intro)
        html = heading + (intro if self.intro else Markup(""))
        if not ctx.may_edit:
            return html + Markup('<p class="small">{}</p>').format(
                "Only the data set's owners and editors may do this."
            )
        current = self.current(ctx) if self.current else colander.null
        return html + render_form(ctx.request, self.form(ctx), current)

    def actions(self) -> dict[str, WidgetAction]:
        return {"submit": WidgetAction(self.post, permission="edit", methods=("POST",))}

    def post(self, ctx: WidgetContext) -> Any:
        back = self.back(ctx) if self.back else ctx.step_url()

        def on_success(values: dict[str, Any]) -> str | None:
            try:
                done = self.act(ctx, values)
            except FormError:
                raise
            except ValueError as error:
                raise FormError(str(error)) from error
            message, page = done if isinstance(done, tuple) else (done, None)
            ctx.request.session.flash(message, "success")
            return page

        return handle_form(ctx.request, self.form(ctx), on_success, back=back)


# -- fields -------------------------------------------------------------------------------


class _Worded:
    """A colander type whose refusal of a text is ``message``, in operators' words
    (colander's own is '"x" is not a number')."""

    message = ""

    def deserialize(self, node: colander.SchemaNode, cstruct: Any) -> Any:
        try:
            return super().deserialize(node, cstruct)  # type: ignore[misc]
        except colander.Invalid as error:
            raise colander.Invalid(node, self.message) from error


class WholeNumber(_Worded, colander.Integer):
    message = "Give a whole number."


class Number(_Worded, colander.Decimal):
    message = "Give a number, such as 30 or 12.5."

    def deserialize(self, node: colander.SchemaNode, cstruct: Any) -> Any:
        # Decimal reads "NaN" and "Infinity", which no comparison takes.
        value = super().deserialize(node, cstruct)
        if isinstance(value, Decimal) and not value.is_finite():
            raise colander.Invalid(node, self.message)
        return value


def text(name: str, title: str, max_length: int, *, required: bool = True, **kw: Any):
    message = f"{title} is at most {max_length} characters."
    return colander.SchemaNode(
        colander.String(),
        name=name,
        title=title,
        missing=colander.required if required else "",
        missing_msg=f"Give the {title.lower()}.",
        validator=colander.Length(max=max_length, max_err=message),
        widget=deform.widget.TextInputWidget(attributes={"maxlength": str(max_length)}),
        **kw,
    )


def whole_number(name: str, title: str) -> colander.SchemaNode:
    return colander.SchemaNode(
        WholeNumber(),
        name=name,
        title=title,
        missing_msg=f"Give the {title.lower()}.",
        validator=colander.Range(0, 2_147_483_647, min_err="Give a number from 0 up.",
                                 max_err="That number is too large."),
        widget=deform.widget.TextInputWidget(attributes={"inputmode": "numeric"}),
    )  # fmt: skip


def decimal(name: str, title: str, *, description: str = "", maximum: str = "") -> Any:
    validator = (
        colander.Range(Decimal(0), Decimal(maximum), min_err="Give a number from 0 up.",
                       max_err=f"Give a number up to {maximum}.")
        if maximum
        else colander.Range(Decimal(0), min_err="Give a number from 0 up.")
    )  # fmt: skip
    return colander.SchemaNode(
        Number(),
        name=name,
        title=title,
        description=description,
        missing=None,
        validator=validator,
        widget=deform.widget.TextInputWidget(attributes={"inputmode": "decimal"}),
    )


def choice(
    name: str,
    title: str,
    choices: list[tuple[str, str]],
    *,
    required: bool = True,
    empty: str = "(none)",
) -> colander.SchemaNode:
    """A select of ``choices`` (value, label); without ``required``, a first choice
    ``empty`` means none (None)."""
    values = list(choices) if required else [("", empty), *choices]
    allowed = {value for value, _ in choices}

    def one_of(node: colander.SchemaNode, value: Any) -> None:
        if value is not None and value not in allowed:
            raise colander.Invalid(node, "Choose one of the choices offered.")

    return colander.SchemaNode(
        colander.String(),
        name=name,
        title=title,
        missing=colander.required if required else None,
        missing_msg=f"Choose the {title.lower()}.",
        validator=one_of,
        widget=deform.widget.SelectWidget(values=values),
    )


class _NoProduct(_Worded, colander.Integer):
    message = "This form names no product: open the product's page again."


def hidden_id(name: str) -> colander.SchemaNode:
    """A row's id the page put in the form (a product's): a whole number, or refused."""
    return colander.SchemaNode(
        _NoProduct(),
        name=name,
        missing_msg="This form names no product: open the product's page again.",
        widget=deform.widget.HiddenWidget(),
    )


def yes_no(name: str, title: str) -> colander.SchemaNode:
    return colander.SchemaNode(
        colander.Boolean(),
        name=name,
        title=title,
        missing=False,
        widget=deform.widget.CheckboxWidget(),
    )


def as_id(value: Any) -> int | None:
    return None if value in (None, "") else int(value)
