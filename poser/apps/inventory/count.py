"""The Count step: scanner files and typed lines into the same open count.

The first file or line makes the count (with the Options step's values); later ones go
into it until it is applied (``counting.is_open``). A file is read at once far enough to
refuse one that is not a count, then the whole count is read again by a job; the same
file twice in one count is refused, a file an earlier count read is warned about.

Typed entry is made for a scanner: the UPC field takes the scan and its Enter, the
quantity its own Enter, which adds the line (a plain form: post, redirect, and the page
again with the UPC field focused; ``typed-count.js`` moves from the UPC to the
quantity). A line that cannot be counted (a UPC the catalog does not have, a quantity
that is not one) is refused and said next to its field. The lines typed so far are
listed under it, newest first, each with its quantity and section to change, or to
delete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import colander
import deform

from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.gui.batch_upload import AddingUpload
from poser.apps.gui.batches import current_batch, forget_opened
from poser.apps.gui.products import product_links
from poser.apps.inventory.options import count_parameters
from poser.apps.site.forms import (
    CSRFSchema,
    FormError,
    button,
    handle_form,
    make_form,
    render_form,
)
from poser.models.data_extraction.inventory_counting import typed_rows
from poser.models.orm import Batch, Upload
from poser.tasks.batches import BatchError
from poser.tasks.batches.inventory import counting
from poser.utils.labels import status_words

BATCH_TYPE = "inventory"
UNIT_CHOICES = (("units", "Units (each)"), ("cases", "Cases (times the case size)"))
#: The file input offers these: scanners write CSV or plain text.
ACCEPT_TEXT = ".csv,.txt,.dat,text/csv,text/plain"


def open_count(ctx: WidgetContext) -> Batch | None:
    """The count the steps show, while files and lines still go into it."""
    batch = current_batch(ctx, BATCH_TYPE)
    return batch if counting.is_open(batch) else None


def _new_count(ctx: WidgetContext, parameters: dict[str, Any] | None = None) -> Batch:
    request = ctx.request
    try:
        batch = counting.make_count(
            ctx.data_set,
            request.find_service(name="files"),
            parameters if parameters is not None else count_parameters(ctx),
            request.identity,
        )
    except BatchError as error:
        raise FormError(f"{error} Change it on the Options step.") from error
    forget_opened(ctx, BATCH_TYPE)  # the steps show the new count
    return batch


def _unit_node(name: str = "unit", title: str = "Counted in") -> colander.SchemaNode:
    return colander.SchemaNode(
        colander.String(),
        name=name,
        title=title,
        widget=deform.widget.SelectWidget(values=UNIT_CHOICES),
        validator=colander.OneOf(
            [key for key, _ in UNIT_CHOICES], msg_err="Choose units or cases."
        ),
        missing="units",
    )


@dataclass
class CountUpload(AddingUpload):
    """A scanner file into the open count (or a new one), counted in units or cases."""

    batch_type: str = BATCH_TYPE
    formats: tuple[str, ...] = ("csv",)
    accept: str = ACCEPT_TEXT
    review_step: str = "count"
    template: str = field(default="widgets/count_upload.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = open_count(ctx)
        files = (batch.parameters.get("files") or []) if batch else []
        return {**super().values(ctx), "count": batch, "count_files": files}

    def fields(self, ctx: WidgetContext) -> list[colander.SchemaNode]:
        node = _unit_node(title="The file counts")
        node.description = "Cases count the preferred vendor's case size of each product."
        recount = colander.SchemaNode(
            colander.Boolean(),
            name="recount",
            title="This file is a recount",
            description="Its counts replace what the count had for the same products (count "
            "every place each one is kept); other products are not touched.",
            missing=False,
            widget=deform.widget.CheckboxWidget(),
        )
        return [node, recount]

    def defaults(self, ctx: WidgetContext) -> dict[str, Any]:
        return {"unit": "units"}

    def is_open(self, batch: Batch) -> bool:
        return counting.is_open(batch)

    def batch_parameters(self, ctx: WidgetContext, values: dict[str, Any]) -> dict[str, Any]:
        return count_parameters(ctx)

    def new_batch(self, ctx: WidgetContext, parameters: dict[str, Any]) -> Batch:
        return _new_count(ctx, parameters)

    def add(
        self, ctx: WidgetContext, batch: Batch, upload: Upload, values: dict[str, Any]
    ) -> str | None:
        files = ctx.request.find_service(name="files")
        unit = values.get("unit") or "units"
        counting.check_file(batch, files, upload, unit)
        counting.add_file(batch, files, upload, unit, recount=bool(values.get("recount")))
        earlier = counting.earlier_count(batch, upload.sha256)
        return counting.earlier_count_message(upload.filename, earlier) if earlier else None


def swap_main(action: str) -> dict[str, str]:
    """htmx's attributes for a form posted without leaving the page: the page it is sent
    back to replaces this one's main part (its messages, the count, the lines), so a
    scanner's next line is not typed into a page being loaded. Without JavaScript the
    form posts and the browser loads that page."""
    return {"hx-post": action, "hx-select": "main", "hx-target": "main", "hx-swap": "outerHTML"}


def _which(schema: colander.Schema) -> colander.Schema:
    """The count and the typed line a form of the list names."""
    for name, title in (("batch", "Count"), ("number", "Line")):
        schema.add(
            colander.SchemaNode(
                colander.Integer(),
                name=name,
                title=title,
                widget=deform.widget.HiddenWidget(),
                missing_msg="The form does not say which; reload the page.",
            )
        )
    return schema


def _line_schema(adding: bool) -> colander.Schema:
    schema = CSRFSchema() if adding else _which(CSRFSchema())
    schema.add(
        colander.SchemaNode(
            colander.String(),
            name="upc",
            title="UPC",
            widget=deform.widget.TextInputWidget(
                attributes={
                    "autocomplete": "off",
                    "inputmode": "numeric",
                    "data-scan": "upc",
                    **({"autofocus": "autofocus"} if adding else {}),
                }
            ),
            missing_msg="Scan or type the UPC.",
        )
    )
    schema.add(
        colander.SchemaNode(
            colander.String(),
            name="quantity",
            title="Quantity",
            widget=deform.widget.TextInputWidget(
                attributes={"autocomplete": "off", "inputmode": "decimal", "data-scan": "quantity"}
            ),
            missing_msg="Give how many were counted.",
        )
    )
    schema.add(_unit_node())
    schema.add(
        colander.SchemaNode(
            colander.String(),
            name="section",
            title="Section or aisle",
            missing="",
            validator=colander.Length(max=50, max_err="At most 50 characters."),
            widget=deform.widget.TextInputWidget(attributes={"autocomplete": "off"}),
        )
    )
    return schema


def amount(value: Any, signed: bool = False) -> str | None:
    """A count as operators write it: 12, 2.5 (no trailing zeros), thousands separated;
    ``signed``: +20 for a rise."""
    if value is None:
        return None
    number = Decimal(str(value))
    places = max(0, -number.normalize().as_tuple().exponent)  # type: ignore[operator]
    sign = "+" if signed and number > 0 else ""
    return f"{sign}{number:,.{places}f}"


def _field_of(message: str) -> str | None:
    """The field a refusal of a typed line is about (None: the whole line's)."""
    if not message.startswith(counting.NOT_COUNTED):
        return None
    said = message.removeprefix(counting.NOT_COUNTED).strip()
    about_upc = said.startswith("UPC:") or any(
        words in said for words in ("not in the catalog", "check digit")
    )
    return "upc" if about_upc else "quantity"


@dataclass
class TypedCount(Widget):
    """Typed (or scanned) lines: the form, and the lines typed so far."""

    #: How many typed lines the list shows, newest first.
    listed: int = 200
    template: str = field(default="widgets/typed_count.jinja2", repr=False)

    def form(self, ctx: WidgetContext) -> deform.Form:
        action = ctx.action_url("add")
        form = make_form(
            ctx.request,
            _line_schema(adding=True),
            (button("add", "Add the line"),),
            f"typed-{self.name}",
            action=action,
            css_class="typed-count-form",
        )
        form.widget.attributes.update(swap_main(action))
        return form

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = open_count(ctx)
        typed = list((batch.parameters.get("typed") or []) if batch else [])
        last = typed[-1] if typed else {}
        defaults = {"quantity": "1", "unit": last.get("unit", "units"),
                    "section": last.get("section", "")}  # fmt: skip
        form = render_form(ctx.request, self.form(ctx), defaults) if ctx.may_edit else None
        reading = (
            batch is not None and batch.status == "new" and bool(batch.parameters.get("files"))
        )
        return {
            "batch": batch,
            "form": form,
            "reading": reading,
            "lines": self._lines(ctx, batch, typed) if batch else [],
            "more": max(0, len(typed) - self.listed),
            "units": dict(UNIT_CHOICES),
            "swap": {name: swap_main(ctx.action_url(name)) for name in ("edit", "delete")},
            "may_edit": ctx.may_edit,
        }

    def _lines(self, ctx: WidgetContext, batch: Batch, typed: list[dict[str, Any]]) -> list[Any]:
        found = typed_rows(ctx.dbsession, batch.id)
        href = product_links("upc", "product")(ctx)
        lines = []
        for line in reversed(typed[-self.listed :]):
            row = found.get(int(line["number"]), {})
            status = row.get("status")
            lines.append(
                {
                    **line,
                    "description": row.get("description"),
                    "href": href({"upc": line["upc"], "product": row.get("description")}),
                    "status": status,
                    "status_words": status_words("row", status) if status else "Being read",
                    "message": row.get("message") or "",
                    "counted": amount(row.get("counted_units")),
                    "new_on_hand": amount(row.get("new_on_hand")),
                    "flagged": row.get("flagged"),
                }
            )
        return lines

    def actions(self) -> dict[str, WidgetAction]:
        return {
            name: WidgetAction(view, permission="edit", methods=("POST",))
            for name, view in (("add", self.add), ("edit", self.edit), ("delete", self.delete))
        }

    def add(self, ctx: WidgetContext) -> Any:
        def act(values: dict[str, Any]) -> None:
            batch = open_count(ctx) or _new_count(ctx)
            try:
                line = counting.add_typed_line(
                    batch, values["upc"], values["quantity"], values["unit"],
                    values["section"], refuse_errors=True,
                )  # fmt: skip
            except BatchError as error:
                raise FormError(str(error), field=_field_of(str(error))) from error
            what = line.description or f"UPC {values['upc']}"
            unit = values["unit"].removesuffix("s") if values["quantity"] == "1" else values["unit"]
            ctx.request.session.flash(
                f"Typed line {line.number}: {values['quantity']} {unit} of {what}, "
                f"in batch #{batch.id}.",
                "success",
            )

        return handle_form(ctx.request, self.form(ctx), act, back=ctx.step_url())

    def _posted_count(self, ctx: WidgetContext, values: dict[str, Any]) -> Batch:
        batch = open_count(ctx)
        if batch is None or batch.id != values["batch"]:
            raise FormError(
                f"Batch #{values['batch']} is no longer the count open here (it was applied, "
                "deleted, or another was opened): nothing changed."
            )
        return batch

    def edit(self, ctx: WidgetContext) -> Any:
        def act(values: dict[str, Any]) -> None:
            batch = self._posted_count(ctx, values)
            try:
                counting.edit_typed_line(
                    batch, values["number"], values["upc"], values["quantity"],
                    values["unit"], values["section"], refuse_errors=True,
                )  # fmt: skip
            except BatchError as error:
                raise FormError(f"Typed line {values['number']}: {error}") from error
            ctx.request.session.flash(f"Typed line {values['number']} changed.", "success")

        form = make_form(ctx.request, _line_schema(adding=False), name=f"typed-edit-{self.name}")
        return handle_form(ctx.request, form, act, back=ctx.step_url())

    def delete(self, ctx: WidgetContext) -> Any:
        schema = _which(CSRFSchema())

        def act(values: dict[str, Any]) -> None:
            batch = self._posted_count(ctx, values)
            try:
                counting.delete_typed_line(batch, values["number"])
            except BatchError as error:
                raise FormError(str(error)) from error
            ctx.request.session.flash(f"Typed line {values['number']} deleted.", "success")

        form = make_form(ctx.request, schema, name=f"typed-delete-{self.name}")
        return handle_form(ctx.request, form, act, back=ctx.step_url())
