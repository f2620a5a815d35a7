"""Targets of a data set's storefront product feed (route_targets.py imports this
module, which registers them): its page, its settings, "Write it now" and the latest
file at its stable address."""

from __future__ import annotations

from typing import Any

from poser.tasks.feeds import write_feed
from tests.functional.route_support import Call, World
from tests.functional.route_targets import target


def _feed(world: World, route: str, method: str = "GET", **kw: Any) -> Call:
    return Call(method, route, {"app": "products", "data_set_id": world.main.id}, **kw)


def _latest(world: World) -> Call:
    world.fresh()
    write_feed(world.main, world.files, job_id=0)
    world.session.commit()
    return _feed(world, "product_feed_latest")


target("product_feed GET")(lambda w: _feed(w, "product_feed"))
target("product_feed_settings POST")(
    lambda w: _feed(
        w,
        "product_feed_settings",
        "POST",
        fields=[("product_feed_nightly", "true"), ("product_feed_keep", "5")],
    )
)
target("product_feed_run POST")(lambda w: _feed(w, "product_feed_run", "POST"))
target("product_feed_latest GET")(_latest)
