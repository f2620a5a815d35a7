"""A small Application for framework tests: parameters, an upload, a job, some text."""

from __future__ import annotations

from decimal import Decimal

from pyramid.config import Configurator

from poser.apps.framework.application import Application, Step, StepGroup
from poser.apps.parameters import Parameter, ParameterGroup
from poser.apps.widgets.content import Html
from poser.apps.widgets.execute import ExecuteFunction
from poser.apps.widgets.file_upload import FileUpload
from poser.apps.widgets.parameter_form import ParameterForm
from poser.models.data_extraction.parameters import stored_parameters
from tests import sample_jobs


def _positive(value: Decimal) -> str | None:
    return None if value > 0 else "Must be more than zero."


OPTIONS = ParameterGroup(
    "options",
    "Options",
    [
        Parameter("vendor", "Vendor code", "str", default="ACME"),
        Parameter(
            "tolerance", "Tolerance (%)", "decimal", default=Decimal("5"), validator=_positive
        ),
        Parameter("steps", "Steps", "int", default=3),
        Parameter("effective", "Effective date", "date", required=False),
        Parameter(
            "new_items",
            "New items",
            "choice",
            default="add",
            choices=[("add", "Add"), ("skip", "Skip")],
        ),
        Parameter("notify", "Notify", "bool", default=False),
    ],
)


def _job_parameters(ctx: object) -> dict[str, object]:
    stored = stored_parameters(ctx.dbsession, ctx.data_set.id)  # type: ignore[attr-defined]
    return {"steps": OPTIONS.parameters[2].from_json(stored.get("steps")), "delay": 0.0}


def _blockers(ctx: object) -> list[str]:
    stored = stored_parameters(ctx.dbsession, ctx.data_set.id)  # type: ignore[attr-defined]
    return [] if "vendor" in stored else ["Save the options first."]


WORKFLOW = Application(
    name="Sample Workflow",
    url_name="workflow",
    description="Options, an upload and a job.",
    parameters=[OPTIONS],
    step_groups=[
        StepGroup(
            "Prepare",
            [
                Step(
                    "Options",
                    "options",
                    [
                        ParameterForm("options", title="Options", group="options", width=8),
                        Html(
                            "notes", markdown="**Tip:** <b>raw html</b> is shown as text.", width=4
                        ),
                    ],
                    help="Set the options before running.",
                ),
                Step("Upload", "upload", [FileUpload("file", title="Catalog file")]),
            ],
        ),
        StepGroup(
            "Run",
            [
                Step(
                    "Apply",
                    "apply",
                    [
                        ExecuteFunction(
                            "run",
                            kind=sample_jobs.touch,
                            label="Apply",
                            parameters=_job_parameters,
                            blockers=_blockers,
                        )
                    ],
                    inputs=("options",),
                )
            ],
        ),
    ],
)


def includeme(config: Configurator) -> None:
    config.add_application(WORKFLOW)
