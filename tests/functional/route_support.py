"""Every route of the app as shipped, a request to each, and someone in every role to send
it: what the authorization matrix and the bad-input sweep share.

The routes are read as ``proutes`` reads them (`pyramid.scripts.proutes`), so a route
added to the app is a route these tests must know. A *target* builds one real request
to a route: real ids of real objects (a data set with an owner, an editor, a viewer and
a removed member; its jobs, exports, batch), the fields its form sends, and the files.
It is built again before each role's request, so what one role's request changed (a
deleted batch, a cancelled job) does not decide another's status.

People and their logged-in clients are made once per test module (a password hash takes
most of a second); everything they made is deleted when the module is done.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import webtest
from pyramid.interfaces import IRoutesMapper
from pyramid.scripts.proutes import get_route_data
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from poser.apps.framework.registry import registered_applications
from poser.apps.framework.widget import action_route_name
from poser.entry_points.queues import make_queue
from poser.models.engine import get_session_factory
from poser.models.orm import Base, DataSet, Export, Job, Product, User
from poser.storage import store_from_settings
from poser.tasks import jobs
from poser.tasks.datasets import create_data_set, remove_member, set_member
from poser.tasks.exports import ExportColumn, write_export
from poser.tasks.job_kinds import get_kind
from poser.tasks.parameters import save_parameters
from poser.tasks.products_data import SHEETS
from poser.tasks.users import create_user
from tests.catalog_support import HEADER, UPC_BUTTER, make_catalog
from tests.factories import PASSWORD
from tests.functional.conftest import StrictTestApp, build_app, login
from tests.unit.utils.tabular.builders import make_xlsx

#: Who sends the requests, in the order they do. Admin and outsider are members of no
#: data set of the world; "removed" was an editor of the main one (and started its jobs).
ROLES = ("anonymous", "outsider", "admin", "removed", "viewer", "editor", "owner")
USERNAMES = {role: f"matrix_{role}" for role in ROLES[1:]} | {"guest": "matrix_guest"}
CATALOG_CSV = HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n"
BAD_ROW = "abc,A-500,Not a UPC,,,1,1.00\n"
STORAGE_TREES = ("uploads", "batches", "exports", "workbooks")


def workbook() -> bytes:
    """A data set workbook as "Export to Excel" writes it: one department."""
    sheets: dict[str, list[list[Any]]] = {name: [list(cols)] for name, cols in SHEETS.items()}
    sheets["departments"].append([1, "Grocery"])
    return make_xlsx(sheets)


@dataclass
class Call:
    """One request: ``route`` with ``match`` (its URL's parts), the query, and for a
    POST the form's fields (the CSRF token is added from a real form) and files.
    ``decimals`` and ``choices`` name fields that hold such values, for the sweep."""

    method: str
    route: str
    match: dict[str, Any] = field(default_factory=dict)
    query: list[tuple[str, str]] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    decimals: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    #: The request logs its client out (logout), or in again (login).
    changes_login: bool = False


class World:
    """The objects the targets name, made in the test's own session and committed.

    ``arranger`` is the owner's client: what the app's own forms make (a batch from an
    uploaded file, a scheduled batch) it makes through them, as an operator would.
    """

    def __init__(self, session: Session, people: dict[str, User], settings: dict[str, Any],
                 work_dir: Path, arranger: Client, app: Any) -> None:  # fmt: skip
        self.session = session
        self.people = people
        self.settings = settings
        self.work_dir = work_dir
        self.arranger = arranger
        self.app = app
        self.files = store_from_settings(settings)
        self.queue = make_queue(settings)
        self.main = self._data_set("Main")
        self.products = make_catalog(session, self.main)
        self.empty = self._data_set("Empty")
        session.commit()

    def _data_set(self, name: str) -> DataSet:
        """A data set of the owner's, shared with an editor and a viewer; "removed" was
        an editor of it."""
        data_set = create_data_set(self.session, name, "products", self.people["owner"])
        for role in ("editor", "viewer", "removed"):
            set_member(data_set, self.people[role], "editor" if role == "removed" else role)
        remove_member(data_set, self.people["removed"])
        return data_set

    def job(
        self,
        kind: str,
        status: str = "queued",
        data_set: DataSet | None = None,
        by: str = "removed",
    ) -> Job:
        """A job the removed member started (or the member ``by``; an admin, for a global
        one)."""
        self.fresh()
        scope_global = kind.startswith("maintenance.")
        user = self.people["admin" if scope_global else by]
        parameters = {"name": "Copy", "owner_id": user.id} if kind == "datasets.copy" else {}
        made = jobs.submit(
            self.session,
            self.queue,
            get_kind(kind),
            data_set=None if scope_global else (data_set or self.main),
            user=user,
            parameters=parameters,
        )
        made.status = status
        self.session.commit()
        return made

    def run_queued(self) -> list[str | None]:
        """Run the queued jobs of the world's data sets, as a worker would."""
        self.fresh()
        queued = self.session.scalars(
            select(Job.id).where(
                Job.status == "queued", Job.data_set_id.in_([self.main.id, self.empty.id])
            )
        ).all()
        resources = {"files": self.files, "work_dir": self.work_dir, "queue": self.queue}
        factory = get_session_factory(self.session.get_bind())
        done = [
            jobs.run(factory, self.queue, job_id, worker="test", resources=resources)
            for job_id in queued
        ]
        self.session.expire_all()
        return done

    @cached_property
    def download_job(self) -> Job:
        """A data set export that ran: its file is there to download. The owner's: a
        removed member's job does not run."""
        job = self.job("datasets.export", by="owner")
        assert self.run_queued() == ["succeeded"]
        return job

    def export(self) -> Export:
        self.fresh()
        made = write_export(
            self.main,
            self.files,
            export_type="catalog",
            title="Main catalog changes",
            basename="changes",
            columns=[ExportColumn("upc", "UPC"), ExportColumn("description", "Description")],
            rows=lambda: [["000123", "Milk"]],
        )
        self.session.commit()
        return made

    def step_path(self, app: str, step: str) -> str:
        return f"/apps/{app}/data-sets/{self.main.id}/steps/{step}"

    def form(self, app: str, step: str, widget: str, action: str) -> list[tuple[str, str]]:
        """The fields (but the CSRF token) of the step page's form for a widget action,
        as the owner sees it."""
        page = self.arranger.app.get(self.step_path(app, step))
        ending = f"/steps/{step}/{widget}/{action}"
        found = [form for form in page.forms.values() if (form.action or "").endswith(ending)]
        assert found, f"no form for {ending} on the page"
        return [
            (name, field.value or "")
            for name, field in found[0].field_order
            if name and name != "csrf_token" and field.value is not None
        ]

    def batch(self, effective: str = "", errors: bool = False) -> None:
        """A new catalog batch, read: the data set's current one. Uploaded by the owner
        through the Upload step's form, after the options that say whose it is and,
        with ``effective``, when it takes effect; with ``errors``, a row is in error."""
        self.fresh()
        options = {
            "catalog_vendor": "ACME",
            "catalog_new_items": "skip",
            "catalog_tolerance": "10",
            "catalog_effective_date": effective or None,
        }
        save_parameters(self.main, "catalog_options", options)  # fmt: skip
        self.session.commit()
        self.settle("batches.execute")
        text = CATALOG_CSV + (BAD_ROW if errors else "")
        self.post_form("catalog", "upload", "file", "upload",
                       files=[("file", "catalog.csv", text.encode())])  # fmt: skip
        assert set(self.run_queued()) == {"succeeded"}

    def post_form(self, app: str, step: str, widget: str, action: str, **call: Any) -> None:
        """The owner sends the form for a widget action; it must succeed."""
        route = action_route_name(app, step, widget, action)
        fields = self.form(app, step, widget, action)
        response = self.arranger.send(self.app, Call("POST", route, {"data_set_id": self.main.id},
                                                     fields=fields, **call))  # fmt: skip
        assert response.status_int == 303, response.text

    def settle(self, kind: str) -> None:
        """The data sets' unfinished jobs of ``kind`` are cancelled: a new one may start."""
        for job in self.session.scalars(
            select(Job).where(Job.kind == kind, Job.finished_at.is_(None))
        ):
            job.status = "cancelled"
            job.finished_at = job.created_at
        self.session.commit()

    def product(self) -> Product:
        """A product of the main data set, as it is now."""
        self.fresh()
        return self.products["butter"]

    def fresh(self) -> None:
        """Reads from now on see what the app's requests committed since the last ones."""
        self.session.rollback()
        self.session.expire_all()

    def member(self, username: str, role: str = "viewer") -> str:
        self.fresh()
        set_member(self.main, self.people[username], role)
        self.session.commit()
        return self.people[username].username


Target = Callable[[World], Call]


# -- the routes ---------------------------------------------------------------------------


def app_routes(app: Any) -> dict[str, set[str]]:
    """Each route ``proutes`` lists, with the methods its views take ("*": any, which
    the site's pages use as GET and POST)."""
    registry = app.registry
    routes: dict[str, set[str]] = {}
    for route in registry.getUtility(IRoutesMapper).get_routes():
        for name, _pattern, _view, methods in get_route_data(route, registry):
            taken = {m.strip() for m in methods.split(",")} if methods != "*" else {"GET", "POST"}
            routes.setdefault(name, set()).update(taken)
    return routes


def widget_actions(app: Any) -> dict[str, tuple[set[str], str]]:
    """Every action of every widget of every Application as its Applications declare
    it: its route's name ("app/step/widget/action"), the methods and the permission."""
    found: dict[str, tuple[set[str], str]] = {}
    for application in registered_applications(app.registry):
        for step in application.steps:
            for widget in step.widgets:
                for name, action in widget.actions().items():
                    route = action_route_name(application.url_name, step.slug, widget.name, name)
                    found[route] = (set(action.methods), action.permission)
    return found


def route_permissions(app: Any) -> dict[str, set[str]]:
    """The permissions of each route's views, as ``pviews`` shows them."""
    introspector = app.registry.introspector
    found: dict[str, set[str]] = {}
    for route in introspector.get_category("routes"):
        for view in introspector.related(route["introspectable"]):
            if view.category_name != "views":
                continue
            permissions = [p["value"] for p in introspector.related(view)
                           if p.category_name == "permissions"]  # fmt: skip
            found.setdefault(route["introspectable"]["name"], set()).update(permissions)
    return found


def url(app: Any, call: Call) -> str:
    route = app.registry.getUtility(IRoutesMapper).get_route(call.route)
    return str(route.generate({key: str(value) for key, value in call.match.items()}))


# -- people and their clients -------------------------------------------------------------


@dataclass
class Client:
    role: str
    app: webtest.TestApp

    def csrf_token(self) -> str:
        """The token of a real form: the logout button's, or the login form's for a
        client that is not logged in (the anonymous one, or one a request logged out)."""
        page = self.app.get("/", status=[200, 303])
        if page.status_int == 303:
            return str(self.app.get("/login").forms["deform"]["csrf_token"].value)
        logout = next(form for form in page.forms.values() if form.action == "/logout")
        return str(logout["csrf_token"].value)

    def send(self, wsgi_app: Any, call: Call, method: str | None = None) -> webtest.TestResponse:
        """The request, whatever its status (the caller checks it)."""
        method = method or call.method
        path = url(wsgi_app, call)
        if call.query:
            path += "?" + urlencode(call.query, quote_via=quote)
        if method == "GET":
            return self.app.get(path, headers=call.headers, status="*")
        if method == "HEAD":
            return self.app.head(path, headers=call.headers, status="*")
        fields = [("csrf_token", self.csrf_token())]
        fields += [(name, self.own(value)) for name, value in call.fields]
        return self.app.post(
            path, fields, headers=call.headers, upload_files=call.files or None, status="*"
        )

    def own(self, value: str) -> str:
        """``value`` with {username} and {password} as this client's own (the anonymous
        one has a name no one has, and a wrong password)."""
        username = USERNAMES.get(self.role, "matrix_nobody")
        password = PASSWORD if self.role != "anonymous" else "not the password"
        return value.replace("{username}", username).replace("{password}", password)

    def log_in_again(self) -> None:
        self.app.reset()
        if self.role != "anonymous":
            assert login(self.app, USERNAMES[self.role]).status_int == 303


def shipped_app(base_settings: dict[str, Any]) -> Any:
    """The app as shipped (Products and Vendor catalogs), without the tests' includes."""
    saved = {name: os.environ.pop(name) for name in list(os.environ) if _leaks(name)}
    try:
        return build_app(base_settings, **{"poser.includes": ""})
    finally:
        os.environ.update(saved)


def _leaks(name: str) -> bool:
    return name.startswith("POSER_") and name != "POSER_TEST_DATABASE_URL"


def make_people(engine: Engine) -> dict[str, User]:
    """A user per role (and a guest to share with), detached from their session."""
    with get_session_factory(engine)() as session:
        made = {}
        for role, name in USERNAMES.items():
            kind = "admin" if role == "admin" else "operator"
            made[role] = create_user(session, name, PASSWORD, role=kind)
        session.commit()
        for user in made.values():
            session.expunge(user)
    return made


def clean_up(engine: Engine, settings: dict[str, Any]) -> None:
    """Every row, queued job and stored file the people made goes."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))
    make_queue(settings).huey.storage.flush_all()
    files = store_from_settings(settings)
    for tree in STORAGE_TREES:
        files.remove_tree(tree)


def make_clients(app: Any) -> dict[str, Client]:
    """A logged-in client per role (the anonymous one is not)."""
    made = {}
    for role in ROLES:
        # An address each: failed logins are counted per address.
        address = f"203.0.113.{10 + ROLES.index(role)}"
        client = Client(role, StrictTestApp(app, extra_environ={"REMOTE_ADDR": address}))
        client.log_in_again()
        made[role] = client
    return made


def make_world(
    engine: Engine,
    people: dict[str, User],
    settings: dict[str, Any],
    work_dir: Path,
    clients: dict[str, Client],
    app: Any,
) -> Iterator[World]:
    with get_session_factory(engine)() as session:
        attached = {role: session.merge(user, load=False) for role, user in people.items()}
        yield World(session, attached, settings, work_dir, clients["owner"], app)
        # The next test's world is made by the same people, who may not have two data
        # sets by one name: this one's go (their rows with them).
        session.rollback()
        session.execute(delete(DataSet))
        session.commit()
