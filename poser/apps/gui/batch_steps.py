"""The batch journey as steps, for any batch type: Options (when the type has any),
Upload, Review, Apply, Report and All batches, in three step groups. A type is
described once (`BatchSteps`): its handler's name, the word for its files, its rows'
grid, its options and its own widgets; `batch_step_groups` makes its steps, so an
Application of a new type declares that and nothing of the journey.

The step slugs (options, upload, review, apply, report, batches) and widget names
(file, batch, statuses, rows, apply, report, batches) are the same for every type:
their routes are ``<app>/<step>/<widget>/<action>``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select

from poser.apps.framework.application import Step, StepGroup
from poser.apps.framework.widget import Widget, WidgetContext
from poser.apps.gui.batch_details import Details
from poser.apps.gui.batch_list import BatchList
from poser.apps.gui.batch_upload import BatchUpload
from poser.apps.gui.batches import (
    BatchApply,
    BatchPanel,
    BatchReport,
    current_batch,
    status_chart_rows,
)
from poser.apps.parameters import ParameterGroup, typed_values
from poser.apps.widgets.chart import Chart
from poser.apps.widgets.grid import Grid
from poser.apps.widgets.parameter_form import ParameterForm
from poser.models.data_extraction.parameters import stored_parameters

#: The help of each step, unless a type words its own.
HELP = {
    "options": "How to treat what a file changes.",
    "upload": "Uploading a file makes a new batch.",
    "review": "Filter by status. Rows in error are skipped once acknowledged.",
    "apply": "Applies every change of the batch at once, or none if anything fails. A batch "
    "is applied once: now, or, when it is dated after today, on its date.",
    "report": "What the batch changed.",
    "batches": "Every batch uploaded to this data set, newest first: open one to review or "
    "apply it, or delete one that was not applied.",
}


@dataclass(kw_only=True)
class BatchRowsGrid(Grid):
    """The rows of the batch the steps show; editable (where its columns are) only while
    the batch waits to be applied."""

    batch_type: str

    def may_edit(self, ctx: WidgetContext) -> bool:
        batch = current_batch(ctx, self.batch_type)
        return super().may_edit(ctx) and batch is not None and batch.status == "populated"


def rows_grid(
    batch_type: str,
    rows: Callable[[int], Select[Any]],
    name: str = "rows",
    title: str = "Rows",
    **grid: Any,
) -> BatchRowsGrid:
    """A grid of the shown batch's rows: ``rows(batch_id)`` selects them (with the key
    column, ``id`` unless ``key=`` says); the rest is `Grid`'s (columns, formats, ...).
    Its total, unfiltered, is the count reading the file made."""

    def batch_id(ctx: WidgetContext) -> int:
        batch = current_batch(ctx, batch_type)
        return batch.id if batch else -1  # no batch: an empty grid

    def read_rows(ctx: WidgetContext) -> int | None:
        batch = current_batch(ctx, batch_type)
        return batch.row_count if batch and batch.status in ("populated", "executed") else None

    return BatchRowsGrid(
        name=name,
        title=title,
        batch_type=batch_type,
        query=lambda ctx: rows(batch_id(ctx)),
        unfiltered_total=read_rows,
        **grid,
    )


@dataclass(kw_only=True)
class BatchSteps:
    """A batch type as its steps show it.

    ``batch_type`` names its handler (`poser.tasks.batches.get_handler`); ``noun`` is
    what the pages call one of its files ("catalog"); ``rows`` is the Review step's grid
    (`rows_grid`); ``options``, its parameter group, makes an Options step whose values
    each upload's batch starts with; ``details`` are the batch parameters the panel and
    the lists show. ``upload`` and ``apply`` replace the plain `BatchUpload` and
    `BatchApply` (named "file" and "apply"); the ``*_widgets`` are a type's own, after
    the shared ones of their step (on Review: before the grid). ``help`` and ``titles``
    word the steps and widgets (by slug and by widget name); ``names`` renames steps
    (by slug: {"upload": "Count"}), and ``upload_slug`` gives the Upload step another
    slug (its URL)."""

    batch_type: str
    noun: str
    rows: Grid
    options: ParameterGroup | None = None
    details: Details = ()
    upload: BatchUpload | None = None
    apply: BatchApply | None = None
    options_widgets: Sequence[Widget] = ()
    upload_widgets: Sequence[Widget] = ()
    review_widgets: Sequence[Widget] = ()
    report_widgets: Sequence[Widget] = ()
    status_chart_width: int = 12
    help: Mapping[str, str] = field(default_factory=dict)
    titles: Mapping[str, str] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    upload_slug: str = "upload"

    def option_values(self, ctx: WidgetContext) -> dict[str, Any]:
        """The Options step's values, typed (empty without an Options step)."""
        if self.options is None:
            return {}
        stored = stored_parameters(ctx.dbsession, ctx.data_set.id)
        return typed_values(self.options.parameters, stored)

    def _help(self, slug: str) -> str:
        return self.help.get(slug, HELP[slug])

    def _title(self, widget: str, default: str) -> str:
        return self.titles.get(widget, default)

    def _name(self, slug: str, default: str) -> str:
        return self.names.get(slug, default)

    def panel(self) -> BatchPanel:
        return BatchPanel(
            "batch",
            title=self._title("batch", "Current batch"),
            list_step="batches",
            batch_type=self.batch_type,
            noun=self.noun,
            details=self.details,
        )

    def status_chart(self) -> Chart:
        def query(ctx: WidgetContext) -> list[tuple[str, int]]:
            batch = current_batch(ctx, self.batch_type)
            return status_chart_rows(batch)

        return Chart(
            name="statuses",
            title=self._title("statuses", "Rows by status"),
            kind="bar",
            query=query,
            y_label="Rows",
            width=self.status_chart_width,
        )

    def steps(self) -> dict[str, Step]:
        """Each step of the journey, by slug."""
        upload = self.upload or BatchUpload(
            "file",
            title=self._title("file", f"{self.noun.capitalize()} file"),
            batch_type=self.batch_type,
            options=self.option_values,
        )
        apply = self.apply or BatchApply(
            "apply",
            title=self._title("apply", f"Apply the {self.noun}"),
            label="Apply",
            batch_type=self.batch_type,
        )
        report = BatchReport(
            "report",
            title=self._title("report", "Report"),
            batch_type=self.batch_type,
            noun=self.noun,
            details=self.details,
        )
        for widget in (upload, apply, self.rows):
            named = getattr(widget, "batch_type", self.batch_type)
            if named != self.batch_type:
                raise ValueError(
                    f"widget {widget.name!r} is for batch type {named!r}, not {self.batch_type!r}"
                )
        listed = BatchList(
            "batches",
            title=self._title("batches", "Batches"),
            batch_type=self.batch_type,
            details=self.details,
        )
        found = {
            "upload": Step(
                self._name("upload", "Upload"), self.upload_slug,
                [upload, self.panel(), *self.upload_widgets], help=self._help("upload"),
            ),
            "review": Step(
                self._name("review", "Review"), "review",
                [self.panel(), self.status_chart(), *self.review_widgets, self.rows],
                help=self._help("review"),
            ),
            "apply": Step(
                self._name("apply", "Apply"), "apply", [self.panel(), apply],
                help=self._help("apply"),
            ),
            "report": Step(
                self._name("report", "Report"), "report", [report, *self.report_widgets],
                help=self._help("report"),
            ),
            "batches": Step(
                self._name("batches", "All batches"), "batches", [listed],
                help=self._help("batches"),
            ),
        }  # fmt: skip
        if self.options is not None:
            form = ParameterForm("options", title="Options", group=self.options.name)
            found["options"] = Step(
                self._name("options", "Options"),
                "options",
                [form, *self.options_widgets],
                help=self._help("options"),
            )
        return found


def batch_step_groups(batch: BatchSteps) -> list[StepGroup]:
    """The journey's step groups: Prepare (Options, Upload), Review and apply (Review,
    Apply, Report), History (All batches)."""
    steps = batch.steps()
    prepare = [steps[slug] for slug in ("options", "upload") if slug in steps]
    return [
        StepGroup("Prepare", prepare),
        StepGroup("Review and apply", [steps["review"], steps["apply"], steps["report"]]),
        StepGroup("History", [steps["batches"]]),
    ]
