"""The Tally Application: the shared batch steps over the tally batch type, on the
Products Application's data sets. All it declares is the type's rows grid, its options
and what its pages show of a batch."""

from pyramid.config import Configurator
from sqlalchemy import Select, select

from poser.apps.framework.application import Application
from poser.apps.gui.batch_steps import BatchSteps, batch_step_groups, rows_grid
from poser.apps.parameters import Parameter, ParameterGroup
from poser.models.data_extraction.grid_state import GridColumn
from tests.batch_sample import handler  # noqa: F401 (registers the tally batch type)
from tests.batch_sample.tables import TallyRow

OPTIONS = ParameterGroup(
    "tally_options",
    "Tally options",
    [Parameter("tally_counter", "Counted by", "str", required=False)],
)


STATUSES = [("counted", "Counted"), ("error", "Error")]


def tally_rows(batch_id: int) -> Select:
    row = TallyRow
    return select(row.id, row.line, row.code, row.quantity, row.status, row.message).where(
        row.batch_id == batch_id
    )


STEPS = BatchSteps(
    batch_type="tally",
    noun="tally",
    options=OPTIONS,
    details=(("Counted by", "tally_counter"),),
    rows=rows_grid(
        "tally",
        tally_rows,
        columns=[
            GridColumn("line", "Line", type="int"),
            GridColumn("code", "Code"),
            GridColumn("quantity", "Quantity", type="int"),
            GridColumn("status", "Status", type="choice", choices=STATUSES),
            GridColumn("message", "Message", sortable=False),
        ],
        download_name="tally-rows",
        badges={"status": "row"},
    ),
)
TALLY = Application(
    name="Tallies",
    url_name="tally",
    data_sets_of="products",
    parameters=[OPTIONS],
    step_groups=batch_step_groups(STEPS),
)


def includeme(config: Configurator) -> None:
    config.add_application(TALLY)
