"""The Inventory Application: counts of the stock on hand, from scanner files and typed
lines, reviewed for their variances, applied once, and the stock valued.

It works on the Products Application's data sets: a count sets the on-hand of their
products. Its journey is the shared batch steps (`poser.apps.gui.batch_steps`), with
Upload named Count (several files and typed lines into one open count), and a Reports
step for the inventory valuation.
"""

from __future__ import annotations

from poser.apps.framework.application import Application, Step, StepGroup
from poser.apps.gui.batch_steps import BatchSteps, batch_step_groups
from poser.apps.inventory.apply import InventoryApply, ValuationReport
from poser.apps.inventory.count import CountUpload, TypedCount
from poser.apps.inventory.options import OPTIONS, DepartmentsChoice
from poser.apps.inventory.review import report_widgets, review_grid, review_widgets

#: The count's journey: the shared batch steps with the count's files, typed lines,
#: review, apply and widgets of its own.
STEPS = BatchSteps(
    batch_type="inventory",
    noun="count",
    options=OPTIONS,
    options_widgets=[DepartmentsChoice("departments", title="Departments")],
    upload=CountUpload("file", title="Scanner files"),
    upload_slug="count",
    upload_widgets=[TypedCount("typed", title="Typed or scanned lines")],
    status_chart_width=6,
    review_widgets=review_widgets(),
    rows=review_grid(),
    apply=InventoryApply("apply", title="Apply the count", label="Apply the count to on-hand"),
    report_widgets=report_widgets(),
    names={"upload": "Count"},
    titles={"batch": "Current count", "report": "What the count changed"},
    help={
        "options": "How a count is applied, when a row is flagged for recount, and which "
        "departments are being counted. Each new count starts with these.",
        "upload": "Upload the scanners' files (CSV or text: UPC and quantity, or one UPC "
        "per scan) and type or scan lines: all go into the same count until it is "
        "applied. The first file or line starts a new count.",
        "review": "The variance of each product in units, at cost and at retail, by "
        "department. Rows past the thresholds are flagged for recount.",
        "apply": "Sets on-hand for every row of the count at once, or none if anything "
        "fails; every change goes on the product's history. A count is applied once.",
        "report": "What the count changed, as CSV and Excel; revert it from here.",
        "batches": "Every count of this data set, newest first: open one to review or "
        "apply it, or delete one that was not applied.",
    },
)

REPORTS = Step(
    "Valuation",
    "reports",
    [ValuationReport("valuation", title="Inventory valuation")],
    help="The stock on hand by department, at cost and at retail, with totals.",
)

INVENTORY = Application(
    name="Inventory counts",
    url_name="inventory",
    description="Count the stock with handheld scanners or by hand, see the variances "
    "in units and money, recount what looks wrong, apply the count to on-hand, and "
    "value the inventory.",
    icon="clipboard-check",
    data_sets_of="products",
    parameters=[OPTIONS],
    examples={"Sample Store": "poser:data/sample_store.xlsx"},
    default_example="Sample Store",
    step_groups=[*batch_step_groups(STEPS), StepGroup("Reports", [REPORTS])],
)
