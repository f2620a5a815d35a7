"""The Notes Application: one step, a grid of the data set's notes (docs/apps.md)."""

from pyramid.config import Configurator
from sqlalchemy import select

from poser.apps.framework.application import Application, Step, StepGroup
from poser.apps.widgets.grid import Grid
from poser.models.data_extraction.grid_state import GridColumn
from tests.notes_sample.tables import NOTES, Note, Notebook


def notes(ctx):  # the grid's rows: a select of the data set's notes, with a key ("id")
    query = select(Note.id, Notebook.code.label("notebook"), Note.number, Note.title)
    return query.join(Notebook).where(Note.data_set_id == ctx.data_set.id)


GRID = Grid(
    "notes",
    query=notes,
    columns=[
        GridColumn("notebook", "Notebook"),
        GridColumn("number", "Number", type="int"),
        GridColumn("title", "Title"),
    ],
)
NOTES_APPLICATION = Application(
    name="Notes",
    url_name="notes",
    step_groups=[StepGroup("Notes", [Step("Notes", "notes", [GRID])])],
    data=NOTES,  # what its data sets hold: the framework copies, exports and imports it
)


def includeme(config: Configurator) -> None:
    config.add_application(NOTES_APPLICATION)
