"""Targets of the Inventory Application's widget actions (route_targets.py imports this
module, which registers them): its options and departments, the Count step's file,
typed lines and panel, the Review step's controls, grid and recount list, the Apply
step, the revert, and the list of counts. A count is made by the owner through the
Count step's forms, as an operator makes one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from poser.apps.framework.widget import action_route_name
from poser.models.orm import Batch, Job
from poser.tasks.parameters import save_parameters
from poser.utils.timeutil import utcnow
from tests.catalog_support import UPC_BUTTER, UPC_SOAP
from tests.functional.route_support import Call, World
from tests.functional.route_targets import HTMX, _action

APP = "inventory"
#: Butter counted 30 (on-hand 0): past the threshold of 5 units, flagged for recount.
SCAN = f"{UPC_BUTTER},30\n{UPC_SOAP},2\n"
OPTIONS = {
    "inventory_mode": "replace",
    "inventory_threshold_units": "5",
    "inventory_threshold_percent": None,
    "inventory_threshold_money": None,
}


def _send(world: World, action: str, step: str, widget: str, fields: Any) -> None:
    route = action_route_name(APP, step, widget, action)
    call = Call("POST", route, {"data_set_id": world.main.id}, fields=fields)
    response = world.arranger.send(world.app, call)
    assert response.status_int == 303, response.text


def count(world: World) -> None:
    """A new count, read, of a scanner file and a typed line: the data set's current
    one, open, with a row flagged for recount."""
    world.fresh()
    for batch in world.session.scalars(
        select(Batch).where(Batch.data_set_id == world.main.id, Batch.batch_type == APP,
                            Batch.status != "executed", Batch.deleted_at.is_(None))
    ):  # fmt: skip
        batch.deleted_at = utcnow()  # gone: the forms below start a new count
    save_parameters(world.main, "inventory_options", OPTIONS)
    world.session.commit()
    world.settle("batches.execute")
    world.settle("batches.populate")
    world.post_form(APP, "count", "file", "upload", files=[("file", "scan.csv", SCAN.encode())])
    ran = world.run_queued()
    assert set(ran) == {"succeeded"}, [
        (job.kind, job.status, job.error) for job in world.session.scalars(select(Job))
    ]
    fields = world.form(APP, "count", "typed", "add")
    _send(world, "add", "count", "typed", _with(fields, upc=UPC_SOAP, quantity="3"))


def _with(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    return [(name, values.get(name, value)) for name, value in fields] + [
        (name, value) for name, value in values.items() if name not in dict(fields)
    ]


def _typed(action: str) -> Any:
    def fields(world: World) -> list[tuple[str, str]]:
        return _with(world.form(APP, "count", "typed", action), quantity="4", section="B2")

    return fields


_action(APP, "options", "options", "save", "POST",
        fields=[("inventory_mode", "zero_rest"), ("inventory_threshold_units", "5"),
                ("inventory_threshold_percent", "12.5"), ("inventory_threshold_money", "20")],
        decimals=("inventory_threshold_units", "inventory_threshold_percent",
                  "inventory_threshold_money"),
        choices=("inventory_mode",))  # fmt: skip
_action(
    APP, "options", "departments", "save", "POST", fields=[("department", "1"), ("department", "2")]
)
_action(APP, "count", "file", "upload", "POST", before=count, fields=[("unit", "cases")],
        files=[("file", "more.txt", f"{UPC_BUTTER} 2\n".encode())], choices=("unit",))  # fmt: skip
_action(APP, "count", "typed", "add", "POST", before=count,
        fields=[("upc", UPC_BUTTER), ("quantity", "2"), ("unit", "units"), ("section", "A1")],
        decimals=("quantity",), choices=("unit",))  # fmt: skip
for action in ("edit", "delete"):
    _action(APP, "count", "typed", action, "POST", before=count, fields=_typed(action))


def _acknowledge(step: str) -> None:
    def arrange(world: World) -> None:
        count(world)  # and a file with a line in error (a typed one is refused)
        bad = b"036000291452,x\n036000291452,1\n"
        world.post_form(APP, "count", "file", "upload", files=[("file", "bad.csv", bad)])
        assert set(world.run_queued()) == {"succeeded"}

    _action(APP, step, "batch", "acknowledge", "POST", before=arrange,
            fields=lambda w: w.form(APP, step, "batch", "acknowledge"))  # fmt: skip


for step in ("count", "review", "apply"):
    _acknowledge(step)

for action in ("exclude_flagged", "exclude_moved"):
    _action(APP, "review", "control", action, "POST", before=count,
            fields=lambda w, a=action: _with(w.form(APP, "review", "control", a),
                                             reason="Recounted"))  # fmt: skip
_action(APP, "review", "control", "exclude_lines", "POST", before=count,
        fields=lambda w: _with(w.form(APP, "review", "control", "exclude_lines"),
                               lines="1", reason="Recounted"))  # fmt: skip


def _excluded(world: World) -> None:
    count(world)
    fields = _with(world.form(APP, "review", "control", "exclude_flagged"), reason="Recount")
    _send(world, "exclude_flagged", "review", "control", fields)


_action(APP, "review", "control", "include", "POST", before=_excluded,
        fields=lambda w: w.form(APP, "review", "control", "include"))  # fmt: skip

GRID = [("rows.page", "1"), ("rows.status.in", "increase")]
_action(APP, "review", "rows", "rows", query=GRID, headers=HTMX, before=count)
_action(APP, "review", "rows", "csv", query=GRID, before=count)
_action(APP, "review", "rows", "xlsx", query=GRID, before=count)
_action(APP, "review", "recount", "text", before=count)
_action(APP, "review", "recount", "csv", before=count)


def _row_excluded(world: World) -> list[tuple[str, str]]:
    fields = world.form(APP, "review", "rows", "edit")
    key = next(name.rsplit(".", 1)[1] for name, _ in fields if name.startswith("rows.edit."))
    return _with(
        fields, **{f"rows.edit.excluded.{key}": "yes", f"rows.edit.exclude_reason.{key}": "Typo"}
    )


_action(APP, "review", "rows", "edit", "POST", before=count, fields=_row_excluded)


def _apply_fields(world: World) -> list[tuple[str, str]]:
    fields = world.form(APP, "apply", "apply", "run")
    return _with(fields, apply_flagged="1")


_action(APP, "apply", "apply", "run", "POST", before=count, fields=_apply_fields,
        decimals=("apply_flagged",))  # fmt: skip
# A count has no effective date: Apply on a date and Unschedule are refused (a 303 back).
for action in ("schedule", "unschedule"):
    _action(APP, "apply", "apply", action, "POST", before=count,
            fields=lambda w: w.form(APP, "apply", "apply", "run"))  # fmt: skip


def _applied(world: World) -> None:
    count(world)
    _send(world, "run", "apply", "apply", _apply_fields(world))
    assert set(world.run_queued()) == {"succeeded"}


def _confirmed_revert(world: World) -> list[tuple[str, str]]:
    fields = world.form(APP, "report", "revert", "revert")
    return _with(fields, confirm_revert=dict(fields)["batch_id"])


_action(APP, "report", "revert", "revert", "POST", before=_applied, fields=_confirmed_revert)


def _listed(world: World) -> int:
    count(world)
    return world.session.scalars(
        select(Batch.id).where(Batch.batch_type == APP).order_by(Batch.id.desc())
    ).first()


_action(APP, "batches", "batches", "open",
        query=lambda w: [("batch", str(_listed(w))), ("step", "review")])  # fmt: skip


def _confirmed_delete(world: World) -> list[tuple[str, str]]:
    page = world.arranger.app.get(
        world.step_path(APP, "batches"), params={"delete": str(_listed(world))}
    )
    form = next(f for f in page.forms.values() if (f.action or "").endswith("/batches/delete"))
    return [(name, field.value or "") for name, field in form.field_order
            if name and name != "csrf_token" and field.value is not None]  # fmt: skip


_action(APP, "batches", "batches", "delete", "POST", fields=_confirmed_delete)
