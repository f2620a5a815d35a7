"""The forms of an Application's home: start a data set empty, from an example, or
from an Excel file ("Export to Excel" made)."""

from __future__ import annotations

from typing import Any

import colander
import deform
from markupsafe import Markup
from pyramid.request import Request

from poser.apps.framework.workbook_upload import FIELD
from poser.apps.site.forms import CSRFSchema, button, file_node, make_form, render_form
from poser.tasks.datasets import kind_keeps_tables
from poser.tasks.uploads import max_upload_bytes

#: Each form's button and the route it posts to.
BUTTONS = {
    "example": ("Create from example", "btn-primary", "app_home"),
    "empty": ("Create", "btn-outline-primary", "app_home"),
    "import": ("Create from file", "btn-outline-primary", "app_import"),
}


def posted_form_name(request: Request) -> str:
    """Which of the two forms that post to the home was sent: the example's names one."""
    return "example" if "example" in request.POST else "empty"


def create_form(request: Request, name: str) -> deform.Form:
    application = request.context.application
    schema = CSRFSchema()
    if name == "example":
        examples = list(application.examples)
        schema.add(
            colander.SchemaNode(
                colander.String(),
                name="example",
                title="Example",
                validator=colander.OneOf(examples, msg_err="Choose one of the examples offered."),
                widget=deform.widget.SelectWidget(values=[(e, e) for e in examples]),
                default=application.default_example or colander.null,
            )
        )
    if name == "import":
        limit = max_upload_bytes(request.registry.settings)
        title = f"Workbook (.xlsx, up to {limit:,} bytes)"
        schema.add(file_node(title, accept=".xlsx", name=FIELD))
    titles = {"example": "Name (optional)", "empty": "Name",
              "import": "Name (optional: the file's name)"}  # fmt: skip
    # An empty name is the task's to refuse, in its own words.
    schema.add(
        colander.SchemaNode(
            colander.String(),
            name="name",
            title=titles[name],
            missing="",
            widget=deform.widget.TextInputWidget(attributes={"maxlength": "200"}),
        )
    )
    title, style, route = BUTTONS[name]
    action = request.route_path(route, app=application.url_name)
    return make_form(request, schema, (button("submit", title, style),), name, action=action)


def offered(application: Any, name: str) -> bool:
    """Whether the home offers the form ``name``: an example's only when the Application
    has some, a workbook's only when its data sets keep tables."""
    if name == "example":
        return bool(application.examples)
    if name == "import":
        return kind_keeps_tables(application.data_set_kind)
    return True


def home_forms(request: Request) -> dict[str, Markup]:
    """The forms the home shows (see `offered`)."""
    names = [name for name in BUTTONS if offered(request.context.application, name)]
    return {name: render_form(request, create_form(request, name)) for name in names}
