"""The Inventory Application's steps as declared: the shared batch steps with Upload
named Count at its own slug, the Options step's departments, a Valuation step, the
counts as operators read them, and which field a refused typed line is about."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from poser.apps.gui.batch_steps import BatchSteps, batch_step_groups, rows_grid
from poser.apps.gui.batch_upload import AddingUpload
from poser.apps.inventory.application import INVENTORY, STEPS
from poser.apps.inventory.apply import InventoryApply, ValuationReport
from poser.apps.inventory.count import CountUpload, TypedCount, _field_of, amount
from poser.apps.inventory.options import OPTIONS, DepartmentsChoice
from poser.models.data_extraction.grid_state import GridColumn
from poser.models.orm import Batch
from poser.tasks.batches.inventory.handler import MODE_WORDS


def _slugs() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (group.name, [(step.name, step.slug) for step in group.steps])
        for group in INVENTORY.step_groups
    ]


def test_the_inventory_journey_is_the_shared_steps_with_count_and_valuation() -> None:
    assert _slugs() == [
        ("Prepare", [("Options", "options"), ("Count", "count")]),
        (
            "Review and apply",
            [("Review", "review"), ("Apply", "apply"), ("Report", "report")],
        ),
        ("History", [("All batches", "batches")]),
        ("Reports", [("Valuation", "reports")]),
    ]
    assert INVENTORY.data_sets_of == "products"
    steps = {step.slug: step for group in INVENTORY.step_groups for step in group.steps}
    assert [type(w) for w in steps["count"].widgets][::2] == [CountUpload, TypedCount]
    assert isinstance(steps["options"].widgets[1], DepartmentsChoice)
    assert isinstance(steps["apply"].widget("apply"), InventoryApply)
    assert isinstance(steps["reports"].widget("valuation"), ValuationReport)
    assert STEPS.upload is not None
    assert STEPS.upload.review_step == "count"  # more files, after a file


def test_the_mode_is_offered_in_operators_words() -> None:
    mode = OPTIONS.parameters[0]
    assert dict(mode.choices) == MODE_WORDS
    assert "variance_only" not in " ".join(label for _, label in mode.choices)


def test_a_type_renames_its_steps_and_moves_the_upload_step() -> None:
    grid = rows_grid("tally", lambda batch_id: select(Batch.id), columns=[GridColumn("id", "Id")])
    steps = BatchSteps(
        batch_type="tally",
        noun="tally",
        rows=grid,
        names={"upload": "Tally", "batches": "Every tally"},
        upload_slug="tally",
    )
    groups = batch_step_groups(steps)
    assert [(s.name, s.slug) for s in groups[0].steps] == [("Tally", "tally")]
    assert [(s.name, s.slug) for s in groups[2].steps] == [("Every tally", "batches")]


def test_an_adding_upload_needs_its_type_to_say_how() -> None:
    upload = AddingUpload("file", batch_type="tally")
    with pytest.raises(NotImplementedError):
        upload.is_open(Batch())


@pytest.mark.parametrize(
    ("value", "signed", "shown"),
    [
        (Decimal("10.000"), False, "10"),
        (Decimal("2.500"), False, "2.5"),
        (Decimal("1234"), False, "1,234"),
        (Decimal("20.000"), True, "+20"),
        (Decimal("-3.250"), True, "-3.25"),
        (Decimal("0"), True, "0"),
        (None, False, None),
        (2.5, False, "2.5"),  # SQLite's float
    ],
)
def test_counts_read_as_operators_write_them(value, signed, shown) -> None:
    assert amount(value, signed) == shown


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ("Not counted. UPC 070038000563 is not in the catalog.", "upc"),
        ("Not counted. UPC: not a UPC (letters).", "upc"),
        ("Not counted. UPC 036000291452: the check digit is wrong.", "upc"),
        ("Not counted. Quantity -2 is negative: a count is zero or more.", "quantity"),
        (
            "Not counted. UPC 036000291452 is sold by the unit, so it is counted in whole units.",
            "quantity",
        ),
        ("The count's files are being read: add typed lines once they are.", None),
    ],
)
def test_a_refused_typed_line_names_the_field_it_is_about(message, field) -> None:
    assert _field_of(message) == field
