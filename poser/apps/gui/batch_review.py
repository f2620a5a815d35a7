"""Reviewing a batch before and after its apply, for any batch type: what is left out of
the apply and why, the forms that leave rows out (every flagged row, lines by number,
any further set a type names) or put them back, the grid's one-row edit, and the
revert of an applied batch with the rows it left out; and the apply that needs a
confirmation while flagged rows are in the batch (`FlaggedApply`).

A type declares its review once (`ReviewTasks`: its tasks and its words); the widgets
`ReviewControl` and `RevertPanel` and `exclusion_editor` take that declaration, so a new
batch type gets them with no code of its own. The widgets show and ask; the tasks decide
which rows, the counts and whether a form still names the batch as the page showed it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import colander
from pyramid.response import Response
from sqlalchemy import Select
from sqlalchemy.orm import Session

from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.gui.batch_steps import BatchRowsGrid, rows_grid
from poser.apps.gui.batches import (
    BatchApply,
    acted,
    batch_schema,
    current_batch,
    forget_opened,
    opened,
)
from poser.apps.gui.products import product_links
from poser.apps.widgets.execute import hidden_field
from poser.models.orm import Batch, DataSet, Job, User
from poser.tasks.batches import exclusions
from poser.tasks.batches import requests as batch_requests
from poser.tasks.batches import revert as undoing
from poser.tasks.batches.exclusions import ReviewCounts
from poser.tasks.jobs import JobQueue

Posted = Mapping[str, Any]
#: ``task(batch, user, reason)``: how many rows it left out.
LeaveOutTask = Callable[[Batch, User | None, str | None], int]


@dataclass(frozen=True)
class LeaveOut:
    """A set of rows a type leaves out at once with a reason, beside every flagged
    row: ``task`` picks them when asked (and says when there is none). ``name`` is its
    action's; ``label`` the button's, ``prompt`` the reason's."""

    name: str
    label: str
    prompt: str
    task: LeaveOutTask


@dataclass(frozen=True, kw_only=True)
class ReviewTasks:
    """A batch type's review, through its tasks, in its words.

    ``exclude_lines(batch, values, user)`` and ``include(batch, values)`` take the
    posted form (``lines``, ``reason``, and ``source`` when ``sources`` names the
    files a batch's lines come from). ``planned(batch)`` says in sentences what a
    revert would do; ``reverted(batch)`` what a revert did; ``left_out(session,
    batch_id, limit)`` lists the rows left out (line, upc, description, product_id,
    product_upc, reason)."""

    batch_type: str
    #: What the pages call one of its batches: "catalog", "count".
    noun: str
    counts: Callable[[Batch], ReviewCounts]
    exclude_flagged: LeaveOutTask
    exclude_lines: Callable[[Batch, Posted, User | None], int]
    include: Callable[[Batch, Posted], int]
    set_exclusion: Callable[[Batch, int, bool | None, str | None, User | None], None]
    left_out: Callable[[Session, int, int], Sequence[Any]]
    revert_batch: Callable[[DataSet, Posted, User | None, JobQueue], tuple[Batch, Job]]
    why_not_revertible: Callable[[Batch], str | None]
    planned: Callable[[Batch], list[str]]
    reverted: Callable[[Batch], str]
    sources: Callable[[Batch], list[tuple[str, str]]] | None = None
    more: Sequence[LeaveOut] = ()
    #: What a flagged row is, as the counts name them.
    flagged_words: str = "Flagged rows"
    #: What a revert leaves as it is, under its plan.
    revert_note: str = ""


def text_field(name: str, title: str) -> colander.SchemaNode:
    return colander.SchemaNode(colander.String(), name=name, title=title, missing="")


def form_schema(*fields: colander.SchemaNode) -> colander.Schema:
    """A form about the shown batch (its id and version) with ``fields``."""
    schema = batch_schema()
    for node in fields:
        schema.add(node)
    return schema


def posted_batch(ctx: WidgetContext, batch_type: str, values: Posted) -> Batch:
    """The batch the form names, as its page showed it (BatchError otherwise)."""
    return batch_requests.posted_batch(ctx.data_set, batch_type, values, opened(ctx, batch_type))


def rows_words(count: int) -> str:
    return "1 row" if count == 1 else f"{count:,} rows"


def _not_applied(count: int) -> str:
    return "it will not be applied." if count == 1 else "they will not be applied."


def exclusion_editor(tasks: ReviewTasks) -> Callable[[WidgetContext, Any, dict[str, Any]], None]:
    """The review grid's edit of a row's Excluded and Reason cells (a ValueError is
    shown on the row)."""

    def on_edit(ctx: WidgetContext, row_id: Any, values: dict[str, Any]) -> None:
        batch = current_batch(ctx, tasks.batch_type)
        if batch is None:
            raise ValueError(f"There is no {tasks.noun} to review.")
        tasks.set_exclusion(
            batch, int(row_id), values.get("excluded"), values.get("exclude_reason"),
            ctx.request.identity,
        )  # fmt: skip

    return on_edit


def review_grid(
    tasks: ReviewTasks,
    rows: Callable[[int], Select[Any]],
    name: str,
    title: str,
    **grid: Any,
) -> BatchRowsGrid:
    """A type's review grid (`rows_grid`): each row's UPC leads to its product, its
    status is a badge, its description and message wrap (at 1366 pixels every column
    is on screen beside the steps), and Excluded and its reason are edited in
    place while the batch waits to be applied (`exclusion_editor`); ``grid`` gives the
    type's columns, formats and download name."""
    return rows_grid(
        tasks.batch_type,
        rows,
        name=name,
        title=title,
        key="id",
        links={"upc": product_links("product_upc", "product_id")},
        badges={"status": "row"},
        wrap=frozenset({"description", "message"}),
        input_widths={"exclude_reason": "narrow"},
        editable=True,
        on_edit=exclusion_editor(tasks),
        **grid,
    )


@dataclass
class ReviewControl(Widget):
    """What is left out of the apply and why, and the forms that leave rows out (every
    flagged row, lines by number, the type's further sets) or put them back."""

    tasks: ReviewTasks = field(kw_only=True)
    template: str = field(default="widgets/batch_review.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        tasks = self.tasks
        batch = current_batch(ctx, tasks.batch_type)
        if batch is None or batch.status not in ("populated", "executed"):
            return {"batch": None, "noun": tasks.noun}
        may_change = ctx.may_edit and batch.status == "populated"
        return {
            "batch": batch,
            "noun": tasks.noun,
            "flagged_words": tasks.flagged_words,
            "counts": tasks.counts(batch),
            "may_change": may_change,
            "sources": tasks.sources(batch) if tasks.sources else None,
            "more": tasks.more if may_change else [],
            "fields": batch_requests.shown_fields(batch),
            "max_reason": exclusions.MAX_REASON,
        }

    def actions(self) -> dict[str, WidgetAction]:
        views: dict[str, Callable[[WidgetContext], Response]] = {
            "exclude_flagged": self.exclude_flagged,
            "exclude_lines": self.exclude_lines,
            "include": self.include,
        }
        for leave in self.tasks.more:
            views[leave.name] = self._leave_out(leave)
        return {
            name: WidgetAction(view, permission="edit", methods=("POST",))
            for name, view in views.items()
        }

    def _act(
        self,
        ctx: WidgetContext,
        fields: tuple[colander.SchemaNode, ...],
        act: Callable[[Batch, dict[str, Any]], int],
        message: Callable[[int], str],
    ) -> Response:
        batch_type = self.tasks.batch_type

        def run(values: dict[str, Any]) -> int:
            batch = posted_batch(ctx, batch_type, values)
            return exclusions.as_shown(batch, lambda b: act(b, values))

        return acted(ctx, run, message, schema=form_schema(*fields), name=batch_type)

    def _fields(self, *names: tuple[str, str]) -> tuple[colander.SchemaNode, ...]:
        found = [text_field(name, title) for name, title in names]
        if self.tasks.sources is not None:
            found.append(text_field("source", "File"))
        return tuple(found)

    def exclude_flagged(self, ctx: WidgetContext) -> Response:
        return self._act(
            ctx,
            (text_field("reason", "Reason"),),
            lambda batch, values: self.tasks.exclude_flagged(
                batch, ctx.request.identity, values["reason"]
            ),
            lambda count: f"Excluded {rows_words(count)}, flagged: {_not_applied(count)}",
        )

    def exclude_lines(self, ctx: WidgetContext) -> Response:
        return self._act(
            ctx,
            self._fields(("lines", "Lines"), ("reason", "Reason")),
            lambda batch, values: self.tasks.exclude_lines(batch, values, ctx.request.identity),
            lambda count: f"Excluded {rows_words(count)}: {_not_applied(count)}",
        )

    def include(self, ctx: WidgetContext) -> Response:
        return self._act(
            ctx,
            self._fields(("lines", "Lines")),
            lambda batch, values: self.tasks.include(batch, values),
            lambda count: f"Included {rows_words(count)} again: they will be applied.",
        )

    def _leave_out(self, leave: LeaveOut) -> Callable[[WidgetContext], Response]:
        def view(ctx: WidgetContext) -> Response:
            return self._act(
                ctx,
                (text_field("reason", "Reason"),),
                lambda batch, values: leave.task(batch, ctx.request.identity, values["reason"]),
                lambda count: f"Excluded {rows_words(count)}: {_not_applied(count)}",
            )

        return view


@dataclass
class RevertPanel(Widget):
    """An applied batch: the rows that were left out of it and why, and its revert (or
    the batch it reverts, and the rows that revert left alone)."""

    tasks: ReviewTasks = field(kw_only=True)
    template: str = field(default="widgets/batch_revert.jinja2", repr=False)
    #: How many of the rows left out the page lists.
    listed: int = 50

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        tasks = self.tasks
        batch = current_batch(ctx, tasks.batch_type)
        if batch is None or batch.status != "executed":
            # One still to apply is named, so that the empty panel says why it is.
            pending = batch if batch is not None and batch.status == "populated" else None
            return {"batch": None, "pending": pending}
        reverts = undoing.reverts_of(ctx.dbsession, batch)
        href = product_links("product_upc", "product_id")(ctx)
        why_not = tasks.why_not_revertible(batch)
        return {
            "batch": batch,
            "noun": tasks.noun,
            "counts": tasks.counts(batch),
            "left_out": [
                {**row._mapping, "href": href(row._mapping)}
                for row in tasks.left_out(ctx.dbsession, batch.id, self.listed)
            ],
            "reverted": tasks.reverted(batch) if batch.reverts_batch_id else "",
            "reverted_by": reverts[0] if reverts else None,
            "why_not": why_not,
            "planned": tasks.planned(batch) if not why_not else [],
            "revert_note": tasks.revert_note,
            "may_revert": ctx.may_edit,
            "fields": batch_requests.shown_fields(batch),
            "confirm_field": undoing.CONFIRM_FIELD,
        }

    def actions(self) -> dict[str, WidgetAction]:
        return {"revert": WidgetAction(self.revert, permission="edit", methods=("POST",))}

    def revert(self, ctx: WidgetContext) -> Response:
        tasks = self.tasks

        def act(values: dict[str, Any]) -> Batch:
            made, _ = tasks.revert_batch(
                ctx.data_set, values, ctx.request.identity, ctx.request.find_service(name="jobs")
            )
            forget_opened(ctx, tasks.batch_type)  # the steps show the revert, the newest batch
            return made

        return acted(
            ctx,
            act,
            lambda made: (
                f"Batch #{made.id} reverts batch #{made.reverts_batch_id}: it is being "
                "applied. Rows whose product changed since are left as they are; it lists them."
            ),
            schema=form_schema(hidden_field(undoing.CONFIRM_FIELD)),
            name=tasks.batch_type,
        )


@dataclass
class FlaggedApply(BatchApply):
    """Apply a batch (now, or on its date) while flagged rows are in it only with the
    confirmation that names how many. A type gives its task's check
    (``check_confirmed(batch, posted)``, a BatchError when the count confirmed is not
    the batch's), the field that carries the count, and what its template shows of the
    flagged rows (`flagged`)."""

    confirm_field: str = field(kw_only=True)
    check_confirmed: Callable[[Batch, Posted], None] = field(kw_only=True, repr=False)

    def flagged(self, ctx: WidgetContext, batch: Batch | None) -> tuple[int, dict[str, Any]]:
        """How many flagged rows the apply of ``batch`` (None: no batch waits to be
        applied) would apply, and what the template shows of them."""
        raise NotImplementedError

    def schema(self, ctx: WidgetContext) -> colander.Schema:
        schema = super().schema(ctx)
        schema.add(hidden_field(self.confirm_field))
        return schema

    def _confirmed(self, ctx: WidgetContext, values: dict[str, Any]) -> None:
        self.check_confirmed(posted_batch(ctx, self.batch_type, values), values)

    def job_parameters(self, ctx: WidgetContext, values: dict[str, Any]) -> dict[str, Any]:
        self._confirmed(ctx, values)
        return super().job_parameters(ctx, values)

    def scheduled(self, ctx: WidgetContext, values: dict[str, Any]) -> Batch:
        self._confirmed(ctx, values)
        return super().scheduled(ctx, values)

    def schedule(
        self, ctx: WidgetContext, schema: colander.Schema | None = None, name: str = ""
    ) -> Response:
        """Apply on its date, as BatchApply's, with the confirmation in the form."""
        return super().schedule(
            ctx,
            schema or form_schema(hidden_field(self.confirm_field)),
            name or self.batch_type,
        )

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        batch = current_batch(ctx, self.batch_type)
        waiting, shown = self.flagged(
            ctx, batch if batch is not None and batch.status == "populated" else None
        )
        return {
            **super().values(ctx),
            **shown,
            "waiting": waiting,
            "confirm_field": self.confirm_field,
        }
