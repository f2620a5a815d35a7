"""Targets of a data set's report pages (route_targets.py imports this module, which
registers them): the reports, a report's form and past runs, a run, and Run again."""

from __future__ import annotations

from typing import Any

from poser.models.orm import Job
from tests.functional.route_support import Call, World
from tests.functional.route_targets import target

REPORT = "products_needing_attention"


def _report(world: World, route: str, method: str = "GET", **kw: Any) -> Call:
    match = {
        "app": "products",
        "data_set_id": world.main.id,
        "report": REPORT,
        **kw.pop("match", {}),
    }
    return Call(method, route, match, **kw)


def _past_run(world: World) -> int:
    job = Job(
        kind=f"report.{REPORT}",
        data_set_id=world.main.id,
        status="succeeded",
        parameters={"values": {"reason": "no_price"}},
        user_id=world.people["owner"].id,
    )
    world.session.add(job)
    world.session.commit()
    return job.id


target("reports GET")(
    lambda w: Call("GET", "reports", {"app": "products", "data_set_id": w.main.id})
)
target("report GET")(lambda w: _report(w, "report"))
target("report_run POST")(
    lambda w: _report(w, "report_run", "POST", fields=[("reason", "no_cost")], choices=("reason",))
)
target("report_again POST")(
    lambda w: _report(w, "report_again", "POST", match={"job_id": _past_run(w)})
)
target("report_schedule POST")(
    lambda w: _report(
        w,
        "report_schedule",
        "POST",
        fields=[("frequency", "weekly"), ("reason", "all")],
        choices=("frequency", "reason"),
    )
)
