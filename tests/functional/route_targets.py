"""A real request to every route of the app as shipped (and to every widget action),
by name: "route METHOD" and, where a route serves different things, what it is about.

The authorization matrix gives each an expected status per role; the bad-input sweep
spoils each in every way it can.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from itertools import count
from typing import Any

from sqlalchemy import select

from poser.apps.framework.widget import action_route_name
from poser.models.orm import Batch, Upgrade
from tests.functional.route_support import CATALOG_CSV, Call, Target, World, workbook

TARGETS: dict[str, Target] = {}


def target(name: str) -> Callable[[Target], Target]:
    def register(function: Target) -> Target:
        assert name not in TARGETS, name
        TARGETS[name] = function
        return function

    return register


def _data_set(world: World, route: str, method: str = "GET", **call: Any) -> Call:
    return Call(method, route, {"app": "products", "data_set_id": world.main.id}, **call)


# -- the site -----------------------------------------------------------------------------

target("__static/poser/ GET")(
    lambda w: Call("GET", "__static/poser/", {"subpath": "css/poser.css"})
)
target("__static/poser/ POST")(
    lambda w: Call("POST", "__static/poser/", {"subpath": "css/poser.css"})
)
target("__static/deform/ GET")(
    lambda w: Call("GET", "__static/deform/", {"subpath": "css/form.css"})
)
target("__static/deform/ POST")(
    lambda w: Call("POST", "__static/deform/", {"subpath": "css/form.css"})
)
target("login GET")(lambda w: Call("GET", "login", query=[("next", "/jobs")]))


# Each logs in as themselves again; the anonymous client's password is wrong.
target("login POST")(
    lambda w: Call(
        "POST",
        "login",
        fields=[("username", "{username}"), ("password", "{password}"), ("next", "/jobs")],
    )
)


target("logout POST")(lambda w: Call("POST", "logout", changes_login=True))
target("home GET")(lambda w: Call("GET", "home"))
target("healthz GET")(lambda w: Call("GET", "healthz"))
target("jobs GET")(
    lambda w: Call(
        "GET", "jobs", query=[("status", "queued"), ("kind", "datasets.copy"), ("page", "1")]
    )
)
target("jobs_run_maintenance POST")(
    lambda w: Call("POST", "jobs_run_maintenance", {"kind": "maintenance.purge_work"})
)

#: Jobs of the main data set that the removed member started, by what running them
#: takes; and a global maintenance job.
JOB_KINDS = {"view": "datasets.copy", "edit": "batches.execute", "global": "maintenance.purge_work"}

for about, kind in JOB_KINDS.items():
    for route in ("job", "job_progress"):
        target(f"{route} GET {about} job")(
            lambda w, route=route, kind=kind: Call("GET", route, {"job_id": w.job(kind).id})
        )
    target(f"job_cancel POST {about} job")(
        lambda w, kind=kind: Call("POST", "job_cancel", {"job_id": w.job(kind).id})
    )
    target(f"job_retry POST {about} job")(
        lambda w, kind=kind: Call("POST", "job_retry", {"job_id": w.job(kind, "failed").id})
    )
target("job_download GET")(lambda w: Call("GET", "job_download", {"job_id": w.download_job.id}))
target("exports GET")(lambda w: Call("GET", "exports", query=[("type", "catalog"), ("page", "1")]))


@target("export_file GET")
def _export_file(world: World) -> Call:
    export = world.export()
    return Call("GET", "export_file", {"export_id": export.id, "name": export.files[0]})


target("export_delete POST")(lambda w: Call("POST", "export_delete", {"export_id": w.export().id}))

# -- an Application's pages ---------------------------------------------------------------

target("app_home GET")(lambda w: Call("GET", "app_home", {"app": "products"}))
target("app_home POST")(
    lambda w: Call("POST", "app_home", {"app": "products"}, fields=[("name", "New store")])
)
target("app_import POST")(
    lambda w: Call(
        "POST",
        "app_import",
        {"app": "products"},
        fields=[("name", "From a file")],
        files=[("file", "store.xlsx", workbook())],
    )
)
target("app_data_set GET")(lambda w: _data_set(w, "app_data_set"))
target("app_data_set_figures POST")(lambda w: _data_set(w, "app_data_set_figures", "POST"))
target("app_data_set_settings GET")(lambda w: _data_set(w, "app_data_set_settings"))
target("app_data_set_rename POST")(
    lambda w: _data_set(w, "app_data_set_rename", "POST", fields=[("name", "Main, renamed")])
)
target("app_data_set_copy POST")(
    lambda w: _data_set(w, "app_data_set_copy", "POST", fields=[("name", "Main, copied")])
)
target("app_data_set_export POST")(lambda w: _data_set(w, "app_data_set_export", "POST"))
target("app_data_set_import POST")(
    lambda w: Call(
        "POST",
        "app_data_set_import",
        {"app": "products", "data_set_id": w.empty.id},
        files=[("file", "store.xlsx", workbook())],
    )
)
target("app_data_set_share POST")(
    lambda w: _data_set(
        w,
        "app_data_set_share",
        "POST",
        fields=[("username", "matrix_guest"), ("role", "viewer")],
        choices=("role",),
    )
)
target("app_data_set_unshare POST")(
    lambda w: _data_set(w, "app_data_set_unshare", "POST", fields=[("username", w.member("guest"))])
)
target("app_data_set_delete POST")(
    lambda w: _data_set(w, "app_data_set_delete", "POST", fields=[("confirm_name", "Main")])
)
target("app_step GET")(
    lambda w: Call(
        "GET",
        "app_step",
        {"app": "products", "data_set_id": w.main.id, "step": "catalog"},
        query=[("products.page", "1"), ("products.description.q", "butter")],
    )
)

# -- widget actions -----------------------------------------------------------------------


def _action(
    app: str, step: str, widget: str, action: str, method: str = "GET", **call: Any
) -> None:
    """A widget action: a route of its own ("app/step/widget/action")."""
    route = action_route_name(app, step, widget, action)

    def build(world: World) -> Call:
        if "before" in call:
            call["before"](world)
        extra = {key: value(world) if callable(value) else value
                 for key, value in call.items() if key != "before"}  # fmt: skip
        return Call(method, route, {"data_set_id": world.main.id}, **extra)

    target(f"{route} {method}")(build)


HTMX = {"HX-Request": "true"}
GRIDS = {
    ("products", "catalog", "products"): [
        ("products.page", "1"),
        ("products.regular_price.min", "1"),
    ],
    ("catalog", "review", "rows"): [("rows.page", "1"), ("rows.status.in", "cost_up")],
}
for (app, step, grid), query in GRIDS.items():
    _action(app, step, grid, "rows", query=query, headers=HTMX)
    _action(app, step, grid, "csv", query=query)
    _action(app, step, grid, "xlsx", query=query)


def _edit_fields(world: World) -> list[tuple[str, str]]:
    """A change to the product's description and price, from what they are now."""
    product = world.product()
    key = product.id
    return [
        (f"products.edit.description.{key}", product.description + " (salted)"),
        (f"products.was.description.{key}", product.description),
        (f"products.edit.regular_price.{key}", str(product.regular_price + 1)),
        (f"products.was.regular_price.{key}", str(product.regular_price)),
    ]


_action(
    "products",
    "catalog",
    "products",
    "edit",
    "POST",
    fields=_edit_fields,
    decimals=lambda w: (f"products.edit.regular_price.{w.product().id}",),
)
_action(
    "products",
    "margins",
    "pricing",
    "save",
    "POST",
    fields=[("target_margin", "25")],
    decimals=("target_margin",),
)
_action(
    "catalog",
    "options",
    "options",
    "save",
    "POST",
    fields=[
        ("catalog_vendor", "ACME"),
        ("catalog_effective_date", "2026-01-31"),
        ("catalog_new_items", "add"),
        ("catalog_tolerance", "12.5"),
    ],
    decimals=("catalog_tolerance",),
    choices=("catalog_vendor", "catalog_new_items"),
)
_action(
    "catalog", "upload", "file", "upload", "POST",
    files=[("file", "catalog.csv", CATALOG_CSV.encode())],
    before=lambda w: w.batch(),  # the options are saved, and a batch is there
)  # fmt: skip


def _tomorrow() -> str:
    """Tomorrow as the test runs (a date taken when the module loads is today's after
    midnight, and a batch dated today has nothing to schedule)."""
    return (date.today() + timedelta(days=1)).isoformat()


def _batch_form(step: str, widget: str, action: str, dated: bool = False, **batch: Any) -> None:
    def arrange(world: World) -> None:
        world.batch(**batch, **({"effective": _tomorrow()} if dated else {}))
        if action == "unschedule":
            world.post_form("catalog", step, widget, "schedule")

    _action(
        "catalog", step, widget, action, "POST", before=arrange,
        fields=lambda w: w.form("catalog", step, widget, action),
    )  # fmt: skip


for step in ("upload", "review", "apply"):
    _batch_form(step, "batch", "acknowledge", errors=True)
_batch_form("apply", "apply", "run")
_batch_form("apply", "apply", "schedule", dated=True)
_batch_form("apply", "apply", "unschedule", dated=True)
_batch_form("upload", "columns", "save")


def _with(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The form's fields, those named in ``values`` set to them."""
    return [(name, values.get(name, value)) for name, value in fields] + [
        (name, value) for name, value in values.items() if name not in dict(fields)
    ]


def _exclusion(action: str) -> Callable[[World], list[tuple[str, str]]]:
    """The Review step's exclusion forms, as the owner fills them in."""

    def fields(world: World) -> list[tuple[str, str]]:
        shown = world.form("catalog", "review", "control", "exclude_lines")
        return _with(shown, lines="2", reason="Typo in the vendor's list")

    return fields


def _excluded_batch(world: World) -> None:
    """A batch whose line 2 is left out: the Review step offers to include it again."""
    world.batch()
    route = action_route_name("catalog", "review", "control", "exclude_lines")
    call = Call("POST", route, {"data_set_id": world.main.id}, fields=_exclusion("")(world))
    assert world.arranger.send(world.app, call).status_int == 303


for action in ("exclude_flagged", "exclude_lines"):
    _action(
        "catalog", "review", "control", action, "POST", before=lambda w: w.batch(),
        fields=_exclusion(action),
    )  # fmt: skip
_action(
    "catalog", "review", "control", "include", "POST", before=_excluded_batch,
    fields=lambda w: _with(w.form("catalog", "review", "control", "include"), lines="2"),
)  # fmt: skip


def _row_excluded(world: World) -> list[tuple[str, str]]:
    """The review grid's edit: the first row left out, with a reason."""
    fields = world.form("catalog", "review", "rows", "edit")
    key = next(name.rsplit(".", 1)[1] for name, _ in fields if name.startswith("rows.edit."))
    return _with(
        fields, **{f"rows.edit.excluded.{key}": "yes", f"rows.edit.exclude_reason.{key}": "Typo"}
    )


_action(
    "catalog", "review", "rows", "edit", "POST", before=lambda w: w.batch(), fields=_row_excluded,
)  # fmt: skip


def _applied_batch(world: World) -> None:
    """A batch applied, its report written: the Report step offers its revert."""
    world.batch()
    world.post_form("catalog", "apply", "apply", "run")
    assert set(world.run_queued()) == {"succeeded"}


def _confirmed_revert(world: World) -> list[tuple[str, str]]:
    fields = world.form("catalog", "report", "revert", "revert")
    return _with(fields, confirm_revert=dict(fields)["batch_id"])


_action(
    "catalog", "report", "revert", "revert", "POST", before=_applied_batch,
    fields=_confirmed_revert,
)  # fmt: skip


def _listed_batch(world: World) -> int:
    world.batch()
    return world.session.scalars(select(Batch.id).order_by(Batch.id.desc())).first()


_action(
    "catalog", "batches", "batches", "open",
    query=lambda w: [("batch", str(_listed_batch(w))), ("step", "review")],
)  # fmt: skip


def _confirmed_delete(world: World) -> list[tuple[str, str]]:
    """The fields of the list's confirmation of deleting the newest batch."""
    page = world.arranger.app.get(
        world.step_path("catalog", "batches"), params={"delete": str(_listed_batch(world))}
    )
    form = next(f for f in page.forms.values() if (f.action or "").endswith("/batches/delete"))
    return [(name, field.value or "") for name, field in form.field_order
            if name and name != "csrf_token" and field.value is not None]  # fmt: skip


_action("catalog", "batches", "batches", "delete", "POST", fields=_confirmed_delete)


# -- administration (admins only) ---------------------------------------------------------


def _upgrade(world: World) -> int:
    """An upgrade's record, as `poser upgrade run` leaves it."""
    upgrade = Upgrade(
        status="succeeded", run_by="ada", host="server", pid=1, command="upgrade", migrations=[]
    )
    world.session.add(upgrade)
    world.session.commit()
    return upgrade.id


target("admin_upgrades GET")(lambda w: Call("GET", "admin_upgrades", query=[("page", "1")]))
target("admin_upgrade GET")(lambda w: Call("GET", "admin_upgrade", {"upgrade_id": _upgrade(w)}))
target("admin_upgrade_progress GET")(
    lambda w: Call("GET", "admin_upgrade_progress", {"upgrade_id": _upgrade(w)})
)


def _account(world: World, active: bool = True) -> int:
    """Someone for an admin to change: a user of their own, made for the one request."""
    from poser.tasks.users import create_user, disable_user

    user = create_user(world.session, f"matrix_account_{next(_ACCOUNTS)}", "a long password")
    if not active:
        disable_user(world.session, user)
    world.session.commit()
    return user.id


_ACCOUNTS = count(1)

target("admin_users GET")(lambda w: Call("GET", "admin_users"))
target("admin_user_create POST")(
    lambda w: Call(
        "POST",
        "admin_user_create",
        fields=[
            ("username", f"matrix_new_{next(_ACCOUNTS)}"),
            ("password", "a long password"),
            ("role", "operator"),
        ],
    )
)
target("admin_user GET")(lambda w: Call("GET", "admin_user", {"user_id": _account(w)}))
target("admin_user_role POST")(
    lambda w: Call("POST", "admin_user_role", {"user_id": _account(w)}, fields=[("role", "admin")])
)
target("admin_user_password POST")(
    lambda w: Call(
        "POST", "admin_user_password", {"user_id": _account(w)}, fields=[("password", "x" * 20)]
    )
)
target("admin_user_disable POST")(
    lambda w: Call("POST", "admin_user_disable", {"user_id": _account(w)})
)
target("admin_user_enable POST")(
    lambda w: Call("POST", "admin_user_enable", {"user_id": _account(w, active=False)})
)
target("admin_user_membership POST")(
    lambda w: Call(
        "POST",
        "admin_user_membership",
        {"user_id": _account(w)},
        fields=[("data_set", str(w.main.id)), ("role", "viewer")],
    )
)
target("admin_memberships GET")(lambda w: Call("GET", "admin_memberships"))
target("admin_info GET")(lambda w: Call("GET", "admin_info"))


# The Products pages of the catalog itself, and a data set's reports, register theirs
# (modules of their own).
from tests.functional import (  # noqa: E402, F401
    route_targets_catalog,
    route_targets_feeds,
    route_targets_inventory,
    route_targets_reports,
)
