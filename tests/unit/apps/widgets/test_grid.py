"""Grid: declaration checks, the HTML it renders (links, htmx attributes, inputs), its
actions, and reading and applying edits, with pyramid.testing and an SQLite table made by
its migration (tests/grid_sample)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from pyquery import PyQuery
from pyramid import testing
from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    delete,
    insert,
    select,
)
from sqlalchemy.orm import Session, sessionmaker
from webob.multidict import MultiDict

from poser.apps.framework.application import Application, Step, StepGroup
from poser.apps.framework.widget import WidgetContext, action_route_name
from poser.apps.site.streaming import SESSION_FACTORY_KEY
from poser.apps.widgets.grid import Grid, query_params
from poser.apps.widgets.grid_cells import display
from poser.apps.widgets.grid_edit import apply_edits, read_edits
from poser.models.data_extraction.grid_state import GridColumn
from poser.models.engine import get_engine
from tests.grid_sample import sample_database

metadata = MetaData()
item = Table(
    "grid_widget_item",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False),
    Column("price", Numeric(10, 2)),
    Column("active", Boolean, nullable=False),
)
COLUMNS = [
    GridColumn("name", "Name", editable=True, required=True),
    GridColumn("price", "Price", type="decimal", editable=True),
    GridColumn("active", "Active", type="bool"),
]
BASE = "/apps/shop/data-sets/1/steps/review"


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An SQLite database made by the sample tables' migration (tests/grid_sample)."""
    with sample_database("sqlite://", tmp_path_factory.mktemp("grid"), metadata) as url:
        yield url


@pytest.fixture
def session(sample_url: str) -> Iterator[Session]:
    """Thirty items, afresh for each test (some save edits)."""
    engine = get_engine({"sqlalchemy.url": sample_url})
    with Session(engine) as session:
        session.execute(delete(item))
        session.execute(
            insert(item),
            [
                {"id": n, "name": f"Item {n:02d}", "price": Decimal(n), "active": n % 2 == 0}
                for n in range(1, 31)
            ],
        )
        session.commit()
        yield session
    engine.dispose()


@pytest.fixture
def config() -> Iterator[Configurator]:
    with testing.testConfig(settings={"poser.environment": "development"}) as config:
        config.include("poser.apps.site.layout")
        config.add_route("app_step", "/apps/{app}/data-sets/{data_set_id}/steps/{step}")
        for action in ("rows", "csv", "xlsx", "edit"):  # the grid's actions' own routes
            route = action_route_name("shop", "review", "items", action)
            config.add_route(route, "/apps/shop/data-sets/{data_set_id}/steps/review/" + route[12:])
        yield config


def make_grid(**options: Any) -> Grid:
    defaults: dict[str, Any] = {
        "query": lambda ctx: select(item.c.id, item.c.name, item.c.price, item.c.active),
        "columns": COLUMNS,
        "page_size": 10,
    }
    return Grid("items", **{**defaults, **options})


def context(
    session: Session,
    grid: Grid,
    params: Any = (),
    *,
    editor: bool = True,
    config: Configurator,
    **request_options: Any,
) -> WidgetContext:
    config.testing_securitypolicy(userid="u", permissive=editor)
    step = Step("Review", "review", widgets=[grid])
    application = Application("Shop", "shop", step_groups=[StepGroup("G", [step])])
    request = testing.DummyRequest(params=MultiDict(params), **request_options)
    request.dbsession = session
    # A download's body reads through a session of the app's factory (site.streaming).
    config.registry[SESSION_FACTORY_KEY] = sessionmaker(bind=session.get_bind())
    ctx = WidgetContext(request, application, step, SimpleNamespace(id=1), "owner")
    return ctx.for_widget(grid)


def html_of(markup: Any) -> PyQuery:
    return PyQuery(f"<div>{markup}</div>", parser="html")


def test_grids_are_checked_when_declared() -> None:
    with pytest.raises(ValueError, match="letters"):
        make_grid().__class__("a.b", query=lambda ctx: select(item), columns=COLUMNS)
    with pytest.raises(ValueError, match="unique"):
        make_grid(columns=[GridColumn("name"), GridColumn("name")])
    with pytest.raises(ValueError, match="unique"):
        make_grid(columns=[])
    with pytest.raises(ValueError, match="on_edit"):
        make_grid(editable=True)
    with pytest.raises(ValueError, match=r"input widths are \('narrow', 'wide'\), not \['huge'\]"):
        make_grid(input_widths={"name": "huge"})
    assert "edit" not in make_grid().actions()
    assert set(make_grid(editable=True, on_edit=lambda *a: None).actions()) == {
        "rows",
        "csv",
        "xlsx",
        "edit",
    }


def test_it_renders_a_page_with_links_that_keep_the_rest_of_the_url(
    session: Session, config: Configurator
) -> None:
    params = [("items.sort", "-price"), ("other.page", "2"), ("items.page", "2")]
    html = html_of(make_grid().render(context(session, make_grid(), params, config=config)))
    assert html("#grid-items").attr("class") == "poser-grid"
    keys = [row.get("data-key") for row in html("tbody tr")]
    assert keys == [str(n) for n in range(20, 10, -1)]
    assert html('th[data-column="price"]').attr("aria-sort") == "descending"
    assert html("[data-testid=grid-summary]").text() == "11\u201320 of 30"
    link = html('a[rel="next"]')
    # The next page: after the last row shown (key 11), by keyset.
    query = "other.page=2&items.page=3&items.after=11&items.sort=-price"
    assert link.attr("href") == f"{BASE}?{query}"
    assert link.attr("hx-get") == f"{BASE}/items/rows?{query}"
    assert link.attr("hx-push-url") == link.attr("href")
    assert link.attr("hx-target") == "#grid-items"
    hidden = [
        (i.get("name"), i.get("value"))
        for i in html("form[data-testid=grid-filters] input[type=hidden]")
    ]
    assert hidden == [("other.page", "2"), ("items.sort", "-price")]
    assert html("[data-testid=grid-csv]").attr("href") == f"{BASE}/items/csv?items.sort=-price"
    assert not html("[style]")
    assert not html("script")
    assert "hx-on" not in str(html)


def test_cells_are_inputs_only_for_editors_of_an_editable_grid(
    session: Session, config: Configurator
) -> None:
    grid = make_grid(editable=True, on_edit=lambda *args: None)
    html = html_of(grid.render(context(session, grid, config=config)))
    names = [i.get("name") for i in html("tbody tr[data-key='1'] input")]
    assert names == [
        "items.was.name.1",
        "items.edit.name.1",
        "items.was.price.1",
        "items.edit.price.1",
    ]
    assert html("form[data-testid=grid-edit] input[name=csrf_token]").attr("value")
    viewer = html_of(grid.render(context(session, grid, editor=False, config=config)))
    assert not viewer("tbody input")
    assert not viewer("form[data-testid=grid-edit]")
    assert viewer("tbody tr[data-key='1'] td").eq(0).text() == "Item 01"


def test_the_rows_action_sends_the_fragment_to_htmx_and_the_page_to_others(
    session: Session, config: Configurator
) -> None:
    grid = make_grid()
    params = [("items.page", "3"), ("items.size", "10"), ("items.name.q", "")]
    fragment = grid.rows(
        context(session, grid, params, config=config, headers={"HX-Request": "true"})
    )
    assert fragment.headers["HX-Push-Url"] == f"{BASE}?items.page=3"
    assert "<table" in fragment.text
    assert 'id="grid-items"' not in fragment.text
    redirect = grid.rows(context(session, grid, params, config=config))
    assert isinstance(redirect, HTTPSeeOther)
    assert redirect.location == f"{BASE}?items.page=3"


def test_the_csv_action_streams_every_filtered_row(session: Session, config: Configurator) -> None:
    grid = make_grid(download_name="Items ✓")
    params = [("items.active.is", "yes"), ("items.sort", "-price"), ("items.cols", "name,price")]
    response = grid.csv(context(session, grid, params, config=config))
    assert response.content_disposition.startswith('attachment; filename="Items _.csv"')
    lines = b"".join(response.app_iter).decode("utf-8-sig").splitlines()
    assert lines[:3] == ["Name,Price", "Item 30,30.00", "Item 28,28.00"]
    assert len(lines) == 16


def test_display_text() -> None:
    assert display(GridColumn("x", type="decimal"), 20.1) == "20.1"
    assert display(GridColumn("x", type="bool"), False) == "No"
    assert display(GridColumn("x", type="choice", choices=[(1, "One")]), 1) == "One"
    assert display(GridColumn("x"), None) == ""


def test_read_edits_keeps_changed_cells_of_editable_columns_only() -> None:
    post = MultiDict(
        [
            ("items.edit.name.1", "Renamed"),
            ("items.was.name.1", "Item 01"),
            ("items.edit.price.1", " 1.00 "),  # unchanged, give or take spaces
            ("items.was.price.1", "1.00"),
            ("items.edit.active.2", "yes"),  # not an editable column
            ("items.was.active.2", "no"),
            ("items.edit.price.3", "4"),  # no "was": changed from nothing
            ("items.edit.nope.4", "x"),
            ("items.edit.name.", "x"),
            ("other.edit.name.5", "x"),
            ("csrf_token", "t"),
        ]
    )
    rows = read_edits(post, "items.", COLUMNS)
    assert list(rows) == ["1", "3"]
    assert (rows["1"].texts, rows["1"].was) == ({"name": "Renamed"}, {"name": "Item 01"})
    assert rows["3"].texts == {"price": "4"}


def test_a_row_is_saved_whole_or_not_at_all(session: Session, config: Configurator) -> None:
    grid = make_grid()
    ctx = context(session, grid, config=config)
    calls: list[tuple[Any, dict[str, Any]]] = []

    def on_edit(ctx: WidgetContext, key: Any, values: dict[str, Any]) -> None:
        calls.append((key, values))
        session.execute(item.update().where(item.c.id == key).values(**values))
        if values.get("name") == "Refused":
            raise ValueError("Not that name.")

    post = MultiDict()
    for key, column, was, new in [
        ("1", "name", "Item 01", "Refused"),
        ("2", "price", "2.00", "2.50"),
        ("3", "price", "3.00", "lots"),
        ("3", "name", "Item 03", "Fine"),
        ("99", "name", "Gone", "Whatever"),
        ("4", "name", "Item 04", ""),
    ]:
        post.add(f"items.edit.{column}.{key}", new)
        post.add(f"items.was.{column}.{key}", was)
    outcome = apply_edits(
        ctx, session, grid.query(ctx), COLUMNS, "id", read_edits(post, "items.", COLUMNS), on_edit
    )
    errors = {row.key: row.error for row in outcome.failed}
    assert errors == {
        "1": "Not that name.",
        "3": "Price: Enter a number.",
        "99": "This row is no longer here: it was deleted or is not in this data set.",
        "4": "Name: A value is required.",
    }
    assert outcome.saved == 1
    assert calls == [(1, {"name": "Refused"}), (2, {"price": Decimal("2.50")})]
    names = dict(session.execute(select(item.c.id, item.c.name).where(item.c.id < 5)).all())
    assert names == {1: "Item 01", 2: "Item 02", 3: "Item 03", 4: "Item 04"}
    assert session.scalar(select(item.c.price).where(item.c.id == 2)) == Decimal("2.50")


def test_invalid_utf8_in_the_query_is_decoded_as_far_as_it_goes() -> None:
    request = Request.blank("/?items.name.q=%ff%fe&items.page=2")
    with pytest.raises(UnicodeDecodeError):
        _ = request.GET
    params = query_params(request)
    assert params["items.page"] == "2"
    assert params["items.name.q"] == "\ufffd\ufffd"
