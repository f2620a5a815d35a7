"""No input gives a 500: every route the app lists, as every role, with each of its
values spoiled the ways people and programs spoil them. Then what the right answer is,
for the inputs a handler is most likely to crash on: ids past a column's range, NUL in
text, NaN in a decimal, a choice outside its choices, a next the Location header cannot
hold, a page past any end, and HEAD.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from pyramid.interfaces import IRoutesMapper

from poser.apps.framework.widget import action_route_name
from poser.apps.site.routes import IdsPredicate
from poser.models.data_extraction.parameters import stored_parameters
from poser.models.orm import DataSet
from poser.tasks.parameters import save_parameters
from tests.functional.form_support import field_error, refused
from tests.functional.route_support import ROLES, Call, Client, World, url
from tests.functional.route_targets import TARGETS

HUGE_IDS = ("2147483648", "9" * 26, "0", "-1")
NOT_NUMBERS = ("NaN", "sNaN", "-Infinity", "1e999999", "1" * 40)
FAR_PAGE = str(10**30)
NUL = "\x00"
BAD_NEXT = "/\u3002evil.example"


def spoiled(call: Call) -> Iterator[tuple[str, Call]]:
    """The call with one of its values spoiled at a time, and HEAD for a GET."""
    if call.method == "GET":
        yield "HEAD", replace(call, method="HEAD")
    for key, value in call.match.items():
        if key.endswith("_id"):
            for huge in HUGE_IDS:
                yield f"{key}={huge}", replace(call, match={**call.match, key: huge})
        else:
            yield f"NUL in {key}", replace(call, match={**call.match, key: f"{value}{NUL}"})
    yield "NUL in a stray parameter", replace(call, query=[*call.query, ("q", NUL)])
    for index, (name, value) in enumerate(call.query):
        yield f"NUL in ?{name}", replace(call, query=_set(call.query, index, value + NUL))
        if name == "page" or name.endswith(".page"):
            yield f"?{name}={FAR_PAGE}", replace(call, query=_set(call.query, index, FAR_PAGE))
    for index, (name, value) in enumerate(call.fields):
        yield f"NUL in {name}", replace(call, fields=_set(call.fields, index, value + NUL))
        if name in call.decimals:
            for typed in NOT_NUMBERS:
                yield f"{name}={typed}", replace(call, fields=_set(call.fields, index, typed))
        if name in call.choices:
            yield f"{name} not a choice", replace(call, fields=_set(call.fields, index, "nope"))
        if name == "next":
            yield (
                "a next with no place in a header",
                replace(call, fields=_set(call.fields, index, BAD_NEXT)),
            )
    if any(name == "next" for name, _ in call.query):
        index = next(i for i, (name, _) in enumerate(call.query) if name == "next")
        yield (
            "?next with no place in a header",
            replace(call, query=_set(call.query, index, BAD_NEXT)),
        )


def _set(pairs: list[tuple[str, str]], index: int, value: str) -> list[tuple[str, str]]:
    return [(name, value if i == index else old) for i, (name, old) in enumerate(pairs)]


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_no_spoiled_request_gets_a_server_error(
    name: str, shipped_app: Any, clients: dict[str, Client], world: World
) -> None:
    errors = []
    for role in ROLES:
        client = clients[role]
        call = TARGETS[name](world)
        for spoil, bad in spoiled(call):
            response = client.send(shipped_app, bad)
            if response.status_int >= 500:
                errors.append(f"{role}, {spoil}: {response.status} ({url(shipped_app, bad)})")
        if call.changes_login:
            client.log_in_again()
    assert not errors, "\n".join(errors)


def _step_call(world: World, app: str, step: str, widget: str, action: str, **kw: Any) -> Call:
    route = action_route_name(app, step, widget, action)
    return Call("POST", route, {"data_set_id": world.main.id}, **kw)


def test_every_route_with_an_id_takes_the_ids_predicate(shipped_app: Any, wsgi_app: Any) -> None:
    for app in (shipped_app, wsgi_app):  # the app as shipped, and with the tests' includes
        for route in app.registry.getUtility(IRoutesMapper).get_routes():
            ids = set(re.findall(r"\{(\w+_id)\b", route.pattern))
            named = {name for p in route.predicates if isinstance(p, IdsPredicate)
                     for name in p.names}  # fmt: skip
            assert ids <= named, f"{route.name}: add_route(..., ids={sorted(ids - named)})"


def test_ids_past_any_column_find_nothing_before_the_login(
    shipped_app: Any, clients: dict[str, Client], world: World
) -> None:
    anonymous, owner = clients["anonymous"], clients["owner"]
    for path in ("/jobs/2147483648", "/exports/2147483648/files/x.csv", "/jobs/" + "9" * 26):
        assert anonymous.app.get(path, status=404)
    job = world.job("datasets.copy")
    assert owner.app.get(f"/jobs/{job.id}").status_int == 200
    for huge in HUGE_IDS:
        owner.app.get(f"/jobs/{huge}", status=404)
        owner.app.get(f"/apps/products/data-sets/{huge}/settings", status=404)


def test_text_that_cannot_be_stored_is_refused_with_a_message(
    shipped_app: Any, clients: dict[str, Client], world: World
) -> None:
    owner = clients["owner"]
    rename = Call("POST", "app_data_set_rename", {"app": "products", "data_set_id": world.main.id},
                  fields=[("name", "Main\x00 store")])  # fmt: skip
    refused = owner.send(shipped_app, rename)
    assert refused.status_int == 400
    assert "cannot be saved" in refused.pyquery("main").text()
    world.session.expire_all()
    assert world.session.get(DataSet, world.main.id).name == "Main"
    assert owner.app.get("/jobs", params={"kind": "datasets.copy\x00"}, status=400)
    step = f"/apps/products/data-sets/{world.main.id}/steps/catalog"
    assert owner.app.get(step, params={"products.description.q": "a\x00"}, status=400)
    login = Call("POST", "login", fields=[("username", "{username}\x00"), ("password", "x")])
    assert clients["anonymous"].send(shipped_app, login).status_int == 400


def test_a_decimal_parameter_is_a_number_and_a_choice_one_of_its_choices(
    shipped_app: Any, clients: dict[str, Client], world: World
) -> None:
    owner = clients["owner"]
    for typed in NOT_NUMBERS:
        call = _step_call(world, "products", "margins", "pricing", "save",
                          fields=[("target_margin", typed)])  # fmt: skip
        page = refused(owner.send(shipped_app, call), world.step_path("products", "margins"))
        message = field_error(page, "target_margin")
        assert "Give a number" in message or "digits before the point" in message, typed
    options = [("catalog_vendor", "ACME"), ("catalog_new_items", "everything"),
               ("catalog_tolerance", "10")]  # fmt: skip
    call = _step_call(world, "catalog", "options", "options", "save", fields=options)
    page = refused(owner.send(shipped_app, call), world.step_path("catalog", "options"))
    assert field_error(page, "catalog_new_items") == "Choose one of the choices offered."
    world.session.expire_all()
    assert stored_parameters(world.session, world.main.id) == {}


def test_a_next_that_no_header_can_hold_goes_home(
    shipped_app: Any, clients: dict[str, Client]
) -> None:
    viewer = clients["viewer"]
    viewer.app.reset()
    page = viewer.app.get("/login", params={"next": BAD_NEXT})
    form = page.forms["deform"]
    assert form["next"].value == ""
    form["username"], form["password"] = viewer.own("{username}"), viewer.own("{password}")
    form["next"] = BAD_NEXT
    assert form.submit("submit", status=303).location.endswith("/")
    viewer.log_in_again()


def test_a_page_past_any_end_is_the_last_one(
    shipped_app: Any, clients: dict[str, Client], world: World
) -> None:
    owner = clients["owner"]
    world.job("datasets.copy")
    assert owner.app.get("/jobs", params={"page": FAR_PAGE}).status_int == 200
    assert owner.app.get("/exports", params={"page": FAR_PAGE}).status_int == 200
    step = f"/apps/products/data-sets/{world.main.id}/steps/catalog"
    assert owner.app.get(step, params={"products.page": FAR_PAGE}).status_int == 200


def test_head_answers_as_get_without_a_body(
    shipped_app: Any, clients: dict[str, Client], world: World
) -> None:
    owner = clients["owner"]
    step = f"/apps/products/data-sets/{world.main.id}/steps/catalog"
    for path in (step, f"{step}/products/csv", f"/jobs/{world.download_job.id}/download"):
        got = owner.app.get(path)
        head = owner.app.head(path)
        assert head.status_int == got.status_int == 200, path
        assert head.body == b""
        assert head.content_type == got.content_type


def test_the_sweep_spoils_every_kind_of_value() -> None:
    call = Call("POST", "x", {"app": "a", "job_id": 1}, query=[("page", "1"), ("next", "/")],
                fields=[("v", "1"), ("c", "a")], decimals=("v",), choices=("c",))  # fmt: skip
    kinds = [spoil for spoil, _ in spoiled(call)]
    assert "job_id=2147483648" in kinds
    assert "NUL in app" in kinds
    assert f"?page={FAR_PAGE}" in kinds
    assert {"v=NaN", "c not a choice", "NUL in v", "?next with no place in a header"} <= set(kinds)


def test_stored_values_outside_the_rules_read_as_not_set(
    shipped_app: Any, clients: dict[str, Client], world: World
) -> None:
    # Values saved before a rule or a choice changed (or by another program).
    options = {"catalog_vendor": "ZZZ", "catalog_new_items": "everything",
               "catalog_tolerance": "NaN", "catalog_effective_date": "soon"}  # fmt: skip
    save_parameters(world.main, "catalog_options", options)
    save_parameters(world.main, "pricing", {"target_margin": "sNaN"})
    world.session.commit()
    owner = clients["owner"]
    for app, step in (("catalog", "options"), ("catalog", "upload"), ("products", "margins")):
        owner.app.get(f"/apps/{app}/data-sets/{world.main.id}/steps/{step}")
    page = owner.app.get(f"/apps/catalog/data-sets/{world.main.id}/steps/options")
    assert page.pyquery("select[name=catalog_new_items] option[selected]").attr("value") == "skip"
    assert not page.pyquery("select[name=catalog_vendor] option[selected]")
    assert page.pyquery("input[name=catalog_tolerance]").attr("value") == "10"
    margins = owner.app.get(f"/apps/products/data-sets/{world.main.id}/steps/margins")
    assert "The target margin is 30%" in margins.pyquery("[data-widget=target]").text()
