"""The shared batch steps: what a type's description makes, and the words of the row
statuses a batch counts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from poser.apps.gui.batch_steps import BatchRowsGrid, BatchSteps, batch_step_groups, rows_grid
from poser.apps.gui.batch_upload import BatchUpload
from poser.apps.gui.batches import BatchApply, BatchPanel, row_labels, status_chart_rows
from poser.apps.parameters import Parameter, ParameterGroup
from poser.apps.widgets.parameter_form import ParameterForm
from poser.models.data_extraction.grid_state import GridColumn
from poser.models.orm import Batch


def _steps(**more: object) -> BatchSteps:
    grid = rows_grid("tally", lambda batch_id: select(Batch.id), columns=[GridColumn("id", "Id")])
    return BatchSteps(batch_type="tally", noun="tally", rows=grid, **more)  # type: ignore[arg-type]


def _slugs(groups: list) -> list[tuple[str, list[str]]]:
    return [(group.name, [step.slug for step in group.steps]) for group in groups]


def test_a_type_without_options_gets_upload_review_apply_report_and_all_batches() -> None:
    groups = batch_step_groups(_steps())
    assert _slugs(groups) == [
        ("Prepare", ["upload"]),
        ("Review and apply", ["review", "apply", "report"]),
        ("History", ["batches"]),
    ]
    upload, review, apply, report, listed = (step for group in groups for step in group.steps)
    assert [widget.name for widget in upload.widgets] == ["file", "batch"]
    assert isinstance(upload.widgets[0], BatchUpload)
    assert upload.widgets[0].batch_type == "tally"
    assert upload.widgets[0].title == "Tally file"
    assert [widget.name for widget in review.widgets] == ["batch", "statuses", "rows"]
    assert isinstance(review.widgets[2], BatchRowsGrid)
    assert isinstance(apply.widgets[1], BatchApply)
    assert apply.widgets[1].batch_type == "tally"
    # Its state is the batch on screen's (BatchApply.step_state), not its inputs'.
    assert apply.tracked
    assert apply.inputs == ()
    assert [widget.name for widget in report.widgets] == ["report"]
    assert [widget.name for widget in listed.widgets] == ["batches"]
    panel = upload.widgets[1]
    assert isinstance(panel, BatchPanel)
    assert (panel.batch_type, panel.noun, panel.list_step) == ("tally", "tally", "batches")


def test_options_make_an_options_step_first_and_a_type_adds_its_own_widgets() -> None:
    options = ParameterGroup("tally_options", "Tally", [Parameter("counter", "Counted by", "str")])
    extra = ParameterForm("more", group="tally_options")
    groups = batch_step_groups(
        _steps(options=options, review_widgets=[extra], help={"upload": "Codes and counts."})
    )
    options_step, upload = groups[0].steps
    assert options_step.slug == "options"
    assert options_step.widgets[0].group == "tally_options"
    assert upload.help == "Codes and counts."
    review = groups[1].steps[0]
    assert [widget.name for widget in review.widgets] == ["batch", "statuses", "more", "rows"]


def test_a_widget_of_another_type_is_refused_when_the_steps_are_made() -> None:
    with pytest.raises(ValueError, match="widget 'file' is for batch type 'catalog'"):
        batch_step_groups(_steps(upload=BatchUpload("file", batch_type="catalog")))


def test_row_statuses_of_any_type_read_as_words() -> None:
    batch = Batch(status_counts={"counted": 2, "error": 1})
    labels = row_labels(batch)
    assert labels["counted"] == "Counted"
    assert labels["error"] == "Error"
    assert status_chart_rows(batch) == [("Error", 1), ("Counted", 2)]
    assert status_chart_rows(None) == []
